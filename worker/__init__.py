"""newsworker: scheduled news ingestion (poll, fetch, extract, deduplicate, store)."""

__version__ = "0.1.0"
