"""services/reporting."""
