"""Which event types exist, and parsing any of them from the wire."""

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails, from_json

from shared.events.audit import AuditCompleted
from shared.events.complaint import ComplaintReceived
from shared.events.complaint_outcome import ComplaintResolved
from shared.events.feedback import FeedbackReceived
from shared.events.incident import IncidentReported

AnyFactEvent = (
    IncidentReported | ComplaintReceived | ComplaintResolved | AuditCompleted | FeedbackReceived
)
"""Any of the fact events: things that happened at a site and that LearnLoop learns from."""

FactEvent = Annotated[AnyFactEvent, Field(discriminator="type")]
"""The fact events as a pydantic discriminated union on the CloudEvents ``type`` attribute."""

FACT_EVENT_CLASSES: tuple[type[AnyFactEvent], ...] = (
    IncidentReported,
    ComplaintReceived,
    ComplaintResolved,
    AuditCompleted,
    FeedbackReceived,
)

FACT_EVENT_ADAPTER: TypeAdapter[AnyFactEvent] = TypeAdapter(FactEvent)
"""Validates any fact event; errors are prefixed with the event type (pydantic's union style)."""


def event_type_name(event_class: type[AnyFactEvent]) -> str:
    """Return the CloudEvents ``type`` fixed by ``event_class``, e.g. ``incident.reported``."""
    return str(event_class.model_fields["type"].default)


def schema_version(event_class: type[AnyFactEvent]) -> int:
    """Return the data contract version fixed by ``event_class``."""
    return int(event_class.model_fields["schemaversion"].default)


EVENT_TYPES: dict[str, type[AnyFactEvent]] = {
    event_type_name(event_class): event_class for event_class in FACT_EVENT_CLASSES
}
"""Maps each CloudEvents ``type`` to its event class."""


class UnknownEventTypeError(KeyError):
    """Raised by :func:`event_class_for` for a type that is not a known fact event."""


def event_class_for(type_name: str) -> type[AnyFactEvent]:
    """Return the event class for a CloudEvents ``type``; raise UnknownEventTypeError if none."""
    try:
        return EVENT_TYPES[type_name]
    except KeyError:
        known = ", ".join(sorted(EVENT_TYPES))
        raise UnknownEventTypeError(f"unknown event type {type_name!r}; known: {known}") from None


def parse_fact_event(raw: bytes | bytearray | str | Mapping[str, Any]) -> AnyFactEvent:
    """Validate a fact event given as JSON (bytes or str) or as an already-decoded mapping.

    The event class is chosen from the ``type`` attribute, so error locations are plain field
    paths such as ``("data", "physical_harm")``. Raises ``pydantic.ValidationError`` for invalid
    JSON, a missing or unknown ``type``, or an invalid event.
    """
    if isinstance(raw, bytes | bytearray | str):
        try:
            payload = from_json(raw)
        except ValueError:
            return FACT_EVENT_ADAPTER.validate_json(raw)  # raises a json_invalid error
        return _event_class_of(payload).model_validate_json(raw)
    return _event_class_of(raw).model_validate(raw)


def _event_class_of(payload: object) -> type[AnyFactEvent]:
    if not isinstance(payload, Mapping):
        FACT_EVENT_ADAPTER.validate_python(payload)  # raises a model_type error
    tag = payload.get("type") if isinstance(payload, Mapping) else None
    return _class_for_tag(tag)


def _class_for_tag(tag: object) -> type[AnyFactEvent]:
    if isinstance(tag, str) and tag in EVENT_TYPES:
        return EVENT_TYPES[tag]
    expected = ", ".join(repr(name) for name in sorted(EVENT_TYPES))
    if tag is None:
        error = InitErrorDetails(type="missing", loc=("type",), input=None)
    else:
        error = InitErrorDetails(
            type="union_tag_invalid",
            loc=("type",),
            input=tag,
            ctx={"discriminator": "'type'", "tag": str(tag), "expected_tags": expected},
        )
    raise ValidationError.from_exception_data("FactEvent", [error])
