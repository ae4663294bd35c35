"""Careers: what a person can do finds their occupations, and an occupation finds the moves to others."""
