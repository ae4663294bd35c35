"""Institutions and API keys: who may change which catalog, and who may read analytics."""
