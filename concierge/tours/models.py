"""Models of the Tour products module."""
