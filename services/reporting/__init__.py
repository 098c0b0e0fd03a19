"""The reporting service: governance read models projected from every topic, and a JSON API."""
