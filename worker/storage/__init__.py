"""Storage: the tables downstream services read, sessions, and the repository functions."""
