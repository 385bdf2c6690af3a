"""API views, one module per area. Each view: validate input, fetch through `visible_to`, call one service
or selector, serialise the result."""
