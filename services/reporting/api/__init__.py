"""The reporting JSON API: thin routes over the read models."""
