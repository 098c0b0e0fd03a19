"""Payload fingerprints tell a retry (same content) from a clash (an id reused), across versions."""

from __future__ import annotations

from datetime import UTC, datetime

from services.intake.domain.redaction import sensitive_texts
from services.intake.submission import (
    _DUMPED,
    HASH_V2,
    SENSITIVE_FIELDS,
    legacy_payload_hash,
    payload_hash,
    same_payload,
)
from tests.unit.shared.events.examples import all_examples, fall_incident


def test_fingerprints_fit_the_stored_column_and_ignore_when_an_event_was_sent() -> None:
    event = fall_incident()
    later = event.model_copy(update={"time": datetime(2031, 1, 1, tzinfo=UTC)})
    digest = payload_hash(event)
    assert digest.startswith(HASH_V2)
    assert len(digest) == 64
    assert payload_hash(later) == digest
    assert payload_hash(event, event.model_dump(mode="json")) == digest


def test_every_example_has_its_own_fingerprint() -> None:
    digests = [payload_hash(event) for event in all_examples()]
    assert len(set(digests)) == len(digests)


def test_a_different_payload_has_a_different_fingerprint() -> None:
    event = fall_incident()
    other = event.model_copy(update={"siteid": "elm-court"})
    assert payload_hash(other) != payload_hash(event)
    assert not same_payload(other, None, payload_hash(other), payload_hash(event))


def test_fingerprints_stored_by_the_first_version_still_recognise_retries() -> None:
    event = fall_incident()
    stored = legacy_payload_hash(event)
    assert len(stored) == 64
    assert ":" not in stored
    assert same_payload(event, None, payload_hash(event), stored)
    other = event.model_copy(update={"siteid": "elm-court"})
    assert not same_payload(other, None, payload_hash(other), stored)


def test_integers_orjson_cannot_encode_use_the_first_version() -> None:
    event = fall_incident()
    dump = event.model_dump(mode="json")
    dump["data"]["huge"] = 10**40
    digest = payload_hash(event, dump)
    assert digest == legacy_payload_hash(event, dump)
    assert same_payload(event, dump, digest, digest)
    assert not same_payload(event, None, payload_hash(event), digest)


def test_the_dump_submit_takes_holds_the_substance_and_every_free_text_field() -> None:
    for event in all_examples():
        dump = event.model_dump(mode="json", include=_DUMPED)
        assert payload_hash(event, dump) == payload_hash(event, event.model_dump(mode="json"))
        paths = SENSITIVE_FIELDS[type(event)]
        whole = event.model_dump(mode="json")
        assert sensitive_texts(dump, paths) == sensitive_texts(whole, paths)
        assert all(path.split(".")[0] in dump for path in paths)
