"""The intake service's tables (see services/intake/migrations)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, DateTime, Integer, MetaData, String, Table

metadata = MetaData()

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("provider_id", String(63), nullable=False),
    Column("sites", JSON, nullable=True),
    Column("role", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# Events Kafka acknowledged, so a retry with the same id is answered without publishing again and
# a different event reusing an id is refused (409).
accepted_events = Table(
    "accepted_events",
    metadata,
    Column("provider_id", String(63), primary_key=True),
    Column("event_id", String(128), primary_key=True),
    Column("payload_hash", String(64), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=False),
)
