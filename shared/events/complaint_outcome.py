"""The ``complaint.resolved`` event: the provider responded to a complaint, with its outcome.

It closes the complaint's response deadline and, when the complaint was upheld, opens an
improvement action; reporting derives the upheld rate from it.
"""

from enum import StrEnum
from typing import Literal

from pydantic import Field

from shared.events.envelope import EventEnvelope
from shared.events.sensitivity import SENSITIVE
from shared.events.types import ContractModel, MediumText, SafeId, UtcDatetime


class ComplaintOutcome(StrEnum):
    """What the investigation concluded."""

    UPHELD = "upheld"
    PARTLY_UPHELD = "partly_upheld"
    NOT_UPHELD = "not_upheld"
    WITHDRAWN = "withdrawn"


UPHELD_OUTCOMES = frozenset({ComplaintOutcome.UPHELD, ComplaintOutcome.PARTLY_UPHELD})


class ComplaintResolution(ContractModel):
    """The response to a complaint received earlier (referenced by that event's id)."""

    complaint_event_id: SafeId = Field(description="The id of the complaint.received event.")
    outcome: ComplaintOutcome
    responded_at: UtcDatetime = Field(description="When the full response was sent.")
    response_summary: MediumText | None = Field(default=None, json_schema_extra=SENSITIVE)
    learning_points: MediumText | None = Field(default=None, json_schema_extra=SENSITIVE)


class ComplaintResolved(EventEnvelope[ComplaintResolution]):
    """Event ``complaint.resolved`` (schema v1)."""

    type: Literal["complaint.resolved"] = "complaint.resolved"
    schemaversion: Literal[1] = 1
