"""Helpers shared by the tests: the reference files read independently, problem+json checks."""
