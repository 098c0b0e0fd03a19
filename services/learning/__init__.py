"""services/learning."""
