"""`lmi import-reference`: loads the public reference files into the database, one transaction per source."""
