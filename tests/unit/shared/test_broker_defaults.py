"""Producers and consumers get the safe defaults the delivery guarantees rest on."""

from __future__ import annotations

import os

import pytest
from aiokafka.record.default_records import DefaultRecordBatchBuilder
from faststream import AckPolicy
from faststream.security import SASLScram512

from shared.broker import broker_security, consumer_options, kafka_broker, producer_options
from shared.settings import KafkaSettings


def test_producer_waits_for_all_in_sync_replicas_and_is_idempotent() -> None:
    options = producer_options(KafkaSettings())
    assert options["acks"] == "all"
    assert options["enable_idempotence"] is True
    assert options["compression_type"] == "zstd"
    assert options["linger_ms"] == 5


def test_producer_batches_are_large_yet_fit_the_brokers_default_message_size() -> None:
    options = producer_options(KafkaSettings(compression_type=None))
    assert options["max_batch_size"] >= 256 * 1024
    builder = DefaultRecordBatchBuilder(
        magic=2, compression_type=0, is_transactional=0, producer_id=-1, producer_epoch=-1,
        base_sequence=0, batch_size=options["max_batch_size"],
    )  # fmt: skip
    offset = 0
    while builder.append(offset, None, key=b"site", value=os.urandom(1500), headers=[]):
        offset += 1  # uncompressible records until the batch is full
    assert len(builder.build()) <= 1_048_588  # message.max.bytes, the broker's default
    kafka_broker(KafkaSettings(), client_id="test")  # FastStream takes the same options


def test_consumer_commits_after_processing_and_never_auto_commits() -> None:
    options = consumer_options("learning")
    assert options["group_id"] == "learning"
    assert options["ack_policy"] is AckPolicy.NACK_ON_ERROR
    assert options["auto_offset_reset"] == "earliest"


def test_sasl_ssl_settings_build_a_scram_security_object() -> None:
    settings = KafkaSettings(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="learnloop",
        sasl_password="secret",
    )
    security = broker_security(settings)
    assert isinstance(security, SASLScram512)
    assert security.use_ssl is True


def test_sasl_without_credentials_is_refused() -> None:
    with pytest.raises(ValueError, match="SASL needs"):
        broker_security(KafkaSettings(security_protocol="SASL_PLAINTEXT"))


def test_plaintext_needs_no_security_object() -> None:
    assert broker_security(KafkaSettings()) is None
