"""HTTP API: thin controllers over ``server.services``; wire shapes in ``schemas``."""
