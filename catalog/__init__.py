"""Institutions' course catalogs: upload (CSV or JSON, checked row by row), versions, rollback."""
