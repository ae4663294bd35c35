"""HTTP plumbing shared by every route: sessions and settings, caching, language, limits, headers."""
