"""Job-title search over HTTP: the web edge of `matching/`, which itself knows nothing of the web."""
