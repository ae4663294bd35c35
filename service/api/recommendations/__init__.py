"""HTTP edge of the recommendations domain."""
