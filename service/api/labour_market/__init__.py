"""The HTTP edge of `labour_market/`: occupations, crosswalk, regions and sources."""
