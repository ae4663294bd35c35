"""The HTTP edge of `matching/`: job-title search, batch search and typeahead."""
