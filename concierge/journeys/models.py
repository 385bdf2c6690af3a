"""Models of the Journeys module."""
