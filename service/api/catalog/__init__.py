"""The HTTP edge of `catalog/` (and of `accounts/` for the institution it names): upload, rollback, courses."""
