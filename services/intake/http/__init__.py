"""The intake HTTP API (FastAPI)."""
