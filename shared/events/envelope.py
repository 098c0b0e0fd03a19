"""The CloudEvents 1.0 envelope (structured JSON mode) carried by every LearnLoop event.

Core CloudEvents attributes sit beside LearnLoop's extension attributes, whose names follow the
CloudEvents naming rule (lowercase ASCII letters and digits, at most 20 characters).
"""

from typing import Annotated, Generic, Literal, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared.events.types import SafeId, Slug, UtcDatetime, new_event_id, utc_now

DataT = TypeVar("DataT")

URI_REFERENCE_PATTERN = r"^\S+$"
EVENT_TYPE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
# W3C Trace Context: version-traceid-parentid-flags, lowercase hex.
TRACEPARENT_PATTERN = r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"


def _valid_traceparent(value: str) -> str:
    """Refuse what the pattern cannot: version ff and all-zero trace or parent ids (W3C)."""
    version, trace_id, parent_id, _flags = value.split("-")
    if version == "ff" or trace_id == "0" * 32 or parent_id == "0" * 16:
        raise ValueError("not a valid W3C traceparent (version ff or an all-zero id)")
    return value


TraceParent = Annotated[
    str,
    Field(
        pattern=TRACEPARENT_PATTERN,
        description="W3C trace context of the event's creation (CloudEvents distributed "
        "tracing extension), e.g. '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'.",
    ),
    AfterValidator(_valid_traceparent),
]


class EventEnvelope(BaseModel, Generic[DataT]):
    """A CloudEvents 1.0 event in structured JSON mode, with LearnLoop's extension attributes.

    Extension attributes: ``providerid``, ``siteid`` and ``region`` place the event in the
    provider's hierarchy; ``schemaversion`` is the version of the ``data`` contract;
    ``correlationid`` links events that belong to the same piece of work; ``traceparent``
    (CloudEvents distributed tracing) carries the W3C trace context the event was created in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: SafeId = Field(default_factory=new_event_id, description="Unique per source.")
    source: str = Field(
        min_length=1,
        max_length=2048,
        pattern=URI_REFERENCE_PATTERN,
        description="URI-reference of the producer, e.g. '/providers/p-001/staff-app'.",
    )
    type: str = Field(min_length=1, max_length=128, pattern=EVENT_TYPE_PATTERN)
    time: UtcDatetime = Field(
        default_factory=utc_now, description="When the event was produced (UTC)."
    )
    subject: str | None = Field(default=None, min_length=1, max_length=256)
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: str | None = Field(
        default=None, min_length=1, max_length=2048, pattern=URI_REFERENCE_PATTERN
    )
    providerid: Slug = Field(description="Care provider (organisation) id.")
    siteid: Slug = Field(description="Site (care home, homecare branch, service) id.")
    region: Slug = Field(description="Region of the provider that the site belongs to.")
    schemaversion: int = Field(default=1, ge=1, description="Version of the data contract.")
    correlationid: SafeId | None = None
    traceparent: TraceParent | None = None
    data: DataT

    def to_json_bytes(self) -> bytes:
        """Serialise to CloudEvents structured-mode JSON (absent optional attributes omitted)."""
        return self.model_dump_json(by_alias=True, exclude_none=True).encode("utf-8")

    @classmethod
    def from_json_bytes(cls, raw: bytes | bytearray | str) -> Self:
        """Parse and validate structured-mode JSON produced by :meth:`to_json_bytes`."""
        return cls.model_validate_json(raw)
