"""Free-text job title → NOC 2021 unit group matching (no web dependency)."""
