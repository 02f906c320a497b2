"""Social-media channel connectors and their pure helpers (issue 19)."""
