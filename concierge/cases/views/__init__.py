"""Web views of the service centre, one module per area (see urls.py)."""
