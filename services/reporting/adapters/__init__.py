"""The reporting service's database tables, writers, readers and Kafka helpers."""
