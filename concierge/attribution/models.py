"""Models of the Attribution module."""
