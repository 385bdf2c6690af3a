"""Models of the Pipeline module."""
