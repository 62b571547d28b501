"""Read-only views of the database for operators (the CLI renders them)."""
