"""Kafka clients with safe defaults: nothing is acknowledged unless every in-sync replica has it.

Producers: acks=all, idempotence on, compression, a short linger to fill batches, large batches.
Consumers: a group id, offsets committed only after the handler (and its database transaction)
succeeded, never auto-commit; a failing handler makes the message be redelivered.
"""

from __future__ import annotations

import ssl
from typing import Any

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from shared.settings import KafkaSettings
from shared.topics import Topic

_SASL = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}


def _ssl_context(settings: KafkaSettings) -> ssl.SSLContext | None:
    if not settings.security_protocol.endswith("SSL"):
        return None
    cafile = str(settings.ssl_cafile) if settings.ssl_cafile else None
    return ssl.create_default_context(cafile=cafile)


def broker_security(settings: KafkaSettings) -> BaseSecurity | None:
    """FastStream security object for TLS and/or SASL, or None for plaintext."""
    context = _ssl_context(settings)
    if settings.security_protocol.startswith("SASL"):
        if not (settings.sasl_mechanism and settings.sasl_username and settings.sasl_password):
            raise ValueError("SASL needs sasl_mechanism, sasl_username and sasl_password")
        security_class = _SASL[settings.sasl_mechanism]
        return security_class(
            settings.sasl_username,
            settings.sasl_password.get_secret_value(),
            ssl_context=context,
            use_ssl=context is not None,
        )
    if context is not None:
        return BaseSecurity(ssl_context=context, use_ssl=True)
    return None


def client_options(settings: KafkaSettings, *, client_id: str) -> dict[str, Any]:
    """Connection options for plain aiokafka clients (admin, producers): servers, TLS, SASL."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": f"{settings.client_id}-{client_id}",
        "request_timeout_ms": settings.request_timeout_ms,
        "security_protocol": settings.security_protocol,
    }
    if settings.security_protocol.startswith("SASL") and settings.sasl_password:
        options |= {
            "sasl_mechanism": settings.sasl_mechanism,
            "sasl_plain_username": settings.sasl_username,
            "sasl_plain_password": settings.sasl_password.get_secret_value(),
        }
    context = _ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    return options


# Batches of up to 512 KiB per partition (aiokafka's default is 16 KiB): a producer sends one
# request at a time to each broker, so small batches cap a bulk submission's throughput and spend
# CPU per batch (compression, framing). Even uncompressible, a full batch stays under the
# broker's default message.max.bytes (1 MiB).
MAX_BATCH_BYTES = 512 * 1024


def producer_options(settings: KafkaSettings) -> dict[str, Any]:
    """The producer settings every LearnLoop publisher uses."""
    return {
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": settings.compression_type,
        "linger_ms": settings.linger_ms,
        "max_batch_size": MAX_BATCH_BYTES,
    }


def kafka_broker(settings: KafkaSettings, *, client_id: str, **extra: Any) -> KafkaBroker:
    """A FastStream Kafka broker with the safe producer and consumer defaults."""
    options: dict[str, Any] = {
        **producer_options(settings),
        "request_timeout_ms": settings.request_timeout_ms,
        "client_id": f"{settings.client_id}-{client_id}",
        "security": broker_security(settings),
        # Broker-wide fallback; subscribers pass consumer_options() explicitly as well.
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        **extra,
    }
    return KafkaBroker(settings.bootstrap_servers, **options)


def consumer_options(group_id: str, **overrides: Any) -> dict[str, Any]:
    """Subscriber settings: a consumer group, commit only after successful processing."""
    return {
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        # Commit after the handler returns; on an exception the offset is not committed and the
        # message is delivered again (dead-lettering of poison messages is the handler's job).
        "ack_policy": AckPolicy.NACK_ON_ERROR,
        "isolation_level": "read_committed",
        **overrides,
    }


def topic_name(topic: Topic, settings: KafkaSettings) -> str:
    """The broker-side name of ``topic`` for this deployment's prefix."""
    return topic.full_name(settings.topic_prefix)
