"""Local HTTP servers playing news outlets, for end-to-end tests (see sites.py and server.py)."""
