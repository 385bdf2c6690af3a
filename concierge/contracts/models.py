"""Models of the Contracts module."""
