"""Institutions' course and micro-credential catalogs."""
