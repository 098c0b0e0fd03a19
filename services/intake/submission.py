"""The intake service layer: from parsed request items to events acknowledged by Kafka.

For each item: parse and validate the contract, check the caller's tenancy, mask identifiers in
free text, answer retries of already accepted events without publishing again, publish the rest
together and remember what Kafka acknowledged.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import orjson
from pydantic import ValidationError

from services.intake.adapters.accepted_events import AcceptedEvent, AcceptedEvents
from services.intake.adapters.publisher import EventPublisher, KafkaUnavailableError
from services.intake.domain.api_keys import ApiKey, Refusal, refusal_for
from services.intake.domain.redaction import (
    may_hold_identifiers,
    redact_fields,
    redact_text,
    redaction_summary,
    sensitive_texts,
)
from shared import tracing
from shared.events import FACT_EVENT_CLASSES, AnyFactEvent, parse_fact_event, sensitive_fields
from shared.logging import get_logger
from shared.publishing import record_for
from shared.settings import KafkaSettings

# Idempotency-Key header values map to event ids in this namespace (uuid5 of provider + key).
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f1d8a52-4a1e-4c8e-9f4b-2f0c1e5d7a10")

log = get_logger(__name__)

# The free-text fields of each event type, found once (walking a model's fields is slow).
SENSITIVE_FIELDS: dict[type[AnyFactEvent], tuple[str, ...]] = {
    event_class: tuple(sensitive_fields(event_class)) for event_class in FACT_EVENT_CLASSES
}
# What the payload hash covers: what an event says, not when or by whom it was sent.
_SUBSTANCE = ("type", "siteid", "subject", "data")
# What submit dumps of an event: the substance, which holds every free-text field too (a few
# us less than a whole dump per event).
_DUMPED = set(_SUBSTANCE)
HASH_V2 = "2:"  # marks the second version of payload fingerprints (no hex digest has a colon)


class ItemStatus(StrEnum):
    """What happened to one submitted event."""

    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # already accepted earlier: no second event
    REJECTED = "rejected"
    UNAVAILABLE = "unavailable"  # Kafka did not acknowledge: retry with the same id


@dataclass(frozen=True)
class FieldError:
    """One validation problem, located by a dotted path such as ``data.physical_harm``."""

    path: str
    message: str
    type: str


@dataclass(frozen=True)
class ItemResult:
    """The answer for one item of a request."""

    index: int
    status: ItemStatus
    http_status: int
    event_id: str | None = None
    event_type: str | None = None
    code: str | None = None
    message: str | None = None
    errors: tuple[FieldError, ...] = ()
    redacted: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The item's JSON representation in API answers."""
        body: dict[str, Any] = {"index": self.index, "status": self.status.value}
        if self.event_id is not None:
            body["id"] = self.event_id
        if self.event_type is not None:
            body["type"] = self.event_type
        if self.code is not None:
            body["code"] = self.code
            body["message"] = self.message
        if self.errors:
            body["errors"] = [e.__dict__ for e in self.errors]
        if self.redacted:
            body["redacted"] = self.redacted
        return body


def event_id_for_idempotency_key(provider_id: str, key: str) -> str:
    """The event id a caller's Idempotency-Key stands for (stable across retries)."""
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{provider_id}/{key}"))


def field_errors(error: ValidationError) -> tuple[FieldError, ...]:
    """pydantic errors as dotted field paths with readable messages."""
    return tuple(
        FieldError(
            path=".".join(str(part) for part in item["loc"]) or "(event)",
            message=item["msg"],
            type=item["type"],
        )
        for item in error.errors(include_url=False)
    )


def parse_item(
    index: int,
    raw: Any,
    *,
    expected_type: str | None = None,
    default_id: str | None = None,
) -> AnyFactEvent | ItemResult:
    """Validate one submitted event; an ItemResult (rejected, 422) when it is not valid."""
    if not isinstance(raw, dict):
        return _rejected(index, "invalid_event", "each event must be a JSON object")
    if expected_type is not None:
        given = raw.setdefault("type", expected_type)
        if given != expected_type:
            return _rejected(
                index,
                "wrong_event_type",
                f"this endpoint accepts {expected_type!r} events, not {given!r}",
                (FieldError("type", f"must be {expected_type!r}", "literal_error"),),
            )
    if default_id is not None and "id" not in raw:
        raw["id"] = default_id
    try:
        return parse_fact_event(raw)
    except ValidationError as error:
        errors = field_errors(error)
        if any(e.path == "type" for e in errors):
            return _rejected(index, "unknown_event_type", "unknown or missing event type", errors)
        return _rejected(index, "validation_failed", "the event breaks the contract", errors)


def _rejected(
    index: int, code: str, message: str, errors: tuple[FieldError, ...] = (), status: int = 422
) -> ItemResult:
    return ItemResult(
        index=index,
        status=ItemStatus.REJECTED,
        http_status=status,
        code=code,
        message=message,
        errors=errors,
    )


def payload_hash(event: AnyFactEvent, dump: Mapping[str, Any] | None = None) -> str:
    """Fingerprint of what an event says (not when it was sent), to tell retries from clashes.

    ``dump`` is ``event.model_dump(mode="json")`` when the caller has it already. Fingerprints
    start with ``2:`` (orjson with sorted keys, BLAKE2b: 5x faster than the first version), or
    are the first version (64 hex digits) when orjson cannot encode the event (integers beyond
    64 bits). Both fit the stored column; see :func:`same_payload`.
    """
    substance = _substance(event, dump)
    try:
        encoded = orjson.dumps(substance, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return legacy_payload_hash(event, dump)
    return HASH_V2 + hashlib.blake2b(encoded, digest_size=31).hexdigest()


def legacy_payload_hash(event: AnyFactEvent, dump: Mapping[str, Any] | None = None) -> str:
    """The first version of :func:`payload_hash`, stored for events accepted before ``2:``."""
    substance = _substance(event, dump)
    return hashlib.sha256(json.dumps(substance, sort_keys=True).encode()).hexdigest()


def same_payload(
    event: AnyFactEvent, dump: Mapping[str, Any] | None, digest: str, earlier: str
) -> bool:
    """Whether ``earlier`` (a stored fingerprint of either version) fingerprints ``event``,
    whose current fingerprint is ``digest``."""
    if earlier.startswith(HASH_V2) or digest == earlier:
        return digest == earlier
    return legacy_payload_hash(event, dump) == earlier


def _substance(event: AnyFactEvent, dump: Mapping[str, Any] | None) -> dict[str, Any]:
    if dump is None:
        dump = event.model_dump(mode="json", include=_DUMPED)
    return {name: dump[name] for name in _SUBSTANCE}


class Intake:
    """Accepts validated events for a caller and publishes them."""

    def __init__(
        self,
        *,
        publisher: EventPublisher,
        accepted: AcceptedEvents,
        kafka: KafkaSettings,
        redaction: bool = True,
    ) -> None:
        self._publisher = publisher
        self._accepted = accepted
        self._kafka = kafka
        self._redaction = redaction

    async def submit(
        self, items: Sequence[AnyFactEvent | ItemResult], key: ApiKey
    ) -> list[ItemResult]:
        """Process parsed items in order; every item gets exactly one result."""
        results: dict[int, ItemResult] = {}
        candidates: list[tuple[int, AnyFactEvent]] = []
        for index, item in enumerate(items):
            if isinstance(item, ItemResult):
                results[index] = item
                continue
            refusal = refusal_for(key, provider_id=item.providerid, site_id=item.siteid)
            if refusal is not None:
                message = (
                    "this API key belongs to another provider"
                    if refusal is Refusal.WRONG_PROVIDER
                    else f"this API key may not submit events for site {item.siteid!r}"
                )
                results[index] = _rejected(index, refusal.value, message, status=403)
                continue
            candidates.append((index, item))

        known = await self._accepted.find(key.provider_id, (e.id for _, e in candidates))
        to_publish: list[tuple[int, AnyFactEvent, str, dict[str, dict[str, int]]]] = []
        seen: dict[str, str] = {}
        for index, event in candidates:
            dump = event.model_dump(mode="json", include=_DUMPED)
            digest = payload_hash(event, dump)
            earlier = known.get(event.id)
            earlier_hash = earlier.payload_hash if earlier else seen.get(event.id)
            if earlier_hash is not None:
                same = same_payload(event, dump, digest, earlier_hash)
                results[index] = self._retry_result(index, event, same=same)
                continue
            seen[event.id] = digest
            event, redacted = self._redact(event, dump)
            to_publish.append((index, event, digest, redacted))

        results.update(await self._publish(to_publish, key))
        return [results[index] for index in range(len(items))]

    def _retry_result(self, index: int, event: AnyFactEvent, *, same: bool) -> ItemResult:
        if same:
            return ItemResult(
                index=index,
                status=ItemStatus.DUPLICATE,
                http_status=202,
                event_id=event.id,
                event_type=event.type,
            )
        return _rejected(
            index,
            "id_conflict",
            f"event id {event.id!r} was already used for a different event",
            status=409,
        )

    def _redact(
        self, event: AnyFactEvent, dump: Mapping[str, Any]
    ) -> tuple[AnyFactEvent, dict[str, dict[str, int]]]:
        if not self._redaction:
            return event, {}
        paths = SENSITIVE_FIELDS[type(event)]
        if not any(
            may_hold_identifiers(text) and redact_text(text).findings
            for text in sensitive_texts(dump, paths)
        ):
            return event, {}  # most events: nothing to mask, so no copy and no re-validation
        payload = event.model_dump(mode="json", exclude_none=True)
        masked, findings = redact_fields(payload, paths)
        if not findings:
            return event, {}
        return type(event).model_validate(masked), redaction_summary(findings)

    async def _publish(
        self,
        batch: list[tuple[int, AnyFactEvent, str, dict[str, dict[str, int]]]],
        key: ApiKey,
    ) -> dict[int, ItemResult]:
        if not batch:
            return {}
        records = []
        for _, event, _, redacted in batch:
            record = record_for(tracing.stamp(event), self._kafka)  # trace context when on
            if redacted:
                record.headers["learnloop-redactions"] = json.dumps(redacted, sort_keys=True)
            records.append(record)
        try:
            outcomes = await self._publisher.publish(records)
        except KafkaUnavailableError:
            outcomes = [KafkaUnavailableError("Kafka is not connected")] * len(batch)
        results: dict[int, ItemResult] = {}
        acknowledged: list[AcceptedEvent] = []
        for (index, event, digest, redacted), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Exception):
                results[index] = ItemResult(
                    index=index,
                    status=ItemStatus.UNAVAILABLE,
                    http_status=503,
                    event_id=event.id,
                    event_type=event.type,
                    code="kafka_unavailable",
                    message="not accepted: Kafka did not acknowledge; retry with the same id",
                )
                continue
            acknowledged.append(
                AcceptedEvent(
                    provider_id=key.provider_id,
                    event_id=event.id,
                    payload_hash=digest,
                    topic=outcome.topic,
                    partition=outcome.partition,
                    offset=outcome.offset,
                )
            )
            results[index] = ItemResult(
                index=index,
                status=ItemStatus.ACCEPTED,
                http_status=202,
                event_id=event.id,
                event_type=event.type,
                redacted=redacted,
            )
        try:
            await self._accepted.record(acknowledged)
        except Exception as exc:
            # Kafka has these events, so they are accepted; a retry would publish them again,
            # which consumers absorb because they are idempotent by event id.
            log.error("could not record accepted events", error=type(exc).__name__)
        return results
