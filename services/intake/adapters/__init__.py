"""Intake adapters: database tables and stores, the Kafka publisher."""
