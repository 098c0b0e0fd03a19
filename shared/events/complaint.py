"""The ``complaint.received`` event: a provider received a complaint about its service."""

from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from shared.events.consistency import Problem, raise_problems
from shared.events.envelope import EventEnvelope
from shared.events.sensitivity import SENSITIVE
from shared.events.types import (
    ContractModel,
    DateOrUtcDatetime,
    LongText,
    MediumText,
    PlainDate,
    PseudonymousRef,
)


class ComplaintChannel(StrEnum):
    """How the complaint reached the provider."""

    VERBAL = "verbal"
    WRITTEN = "written"
    EMAIL = "email"
    PHONE = "phone"
    IN_PERSON = "in_person"
    ONLINE_FORM = "online_form"
    VIA_CQC = "via_cqc"
    VIA_LOCAL_AUTHORITY = "via_local_authority"
    VIA_OMBUDSMAN = "via_ombudsman"
    OTHER = "other"


class ComplainantType(StrEnum):
    """Who made the complaint."""

    SERVICE_USER = "service_user"
    RELATIVE = "relative"
    ADVOCATE = "advocate"
    PROFESSIONAL = "professional"
    COMMISSIONER = "commissioner"
    STAFF = "staff"
    ANONYMOUS = "anonymous"
    OTHER = "other"


class ComplaintCategory(StrEnum):
    """What the complaint is about (a suggested set seen in practice, not a national standard)."""

    CARE_QUALITY = "care_quality"
    COMMUNICATION = "communication"
    STAFF_ATTITUDE = "staff_attitude"
    MEDICATION = "medication"
    MISSED_OR_LATE_VISIT = "missed_or_late_visit"
    FOOD_AND_NUTRITION = "food_and_nutrition"
    ENVIRONMENT_CLEANLINESS = "environment_cleanliness"
    FEES_AND_CHARGING = "fees_and_charging"
    SAFEGUARDING = "safeguarding"
    DIGNITY_AND_PRIVACY = "dignity_and_privacy"
    ADMISSION_DISCHARGE_TRANSFER = "admission_discharge_transfer"
    LOST_OR_DAMAGED_PROPERTY = "lost_or_damaged_property"
    OTHER = "other"


class ComplaintSeverity(StrEnum):
    """Initial severity assessment of the complaint."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class FundingSource(StrEnum):
    """Who funds the care of the person the complaint is about.

    Matters for routing: NHS-funded and council-funded care fall under the 2009 complaints
    regulations and escalation goes to the relevant ombudsman.
    """

    SELF_FUNDED = "self_funded"
    LOCAL_AUTHORITY = "local_authority"
    NHS = "nhs"
    MIXED = "mixed"
    UNKNOWN = "unknown"


class Complaint(ContractModel):
    """A complaint as received, before investigation."""

    received_at: DateOrUtcDatetime = Field(
        description="When the complaint was received: an aware datetime, or a date if only "
        "the day is known. Deadlines (acknowledge, respond) run from here."
    )
    channel: ComplaintChannel
    complainant_type: ComplainantType
    complainant_ref: PseudonymousRef | None = None
    subject_person_ref: PseudonymousRef | None = None
    category: ComplaintCategory
    summary: LongText = Field(json_schema_extra=SENSITIVE)
    severity: ComplaintSeverity
    desired_outcome: MediumText | None = Field(default=None, json_schema_extra=SENSITIVE)
    event_date: PlainDate | None = Field(
        default=None,
        description="When the matter complained about happened. Complaints are normally made "
        "within 12 months, but later ones are still recorded.",
    )
    is_funded_by: FundingSource = FundingSource.UNKNOWN

    @model_validator(mode="after")
    def _is_consistent(self) -> Self:
        problems: list[Problem] = []
        if self.complainant_type is ComplainantType.ANONYMOUS and self.complainant_ref:
            problems.append(
                Problem(
                    ("complainant_ref",),
                    "an anonymous complaint must not carry a complainant_ref",
                    self.complainant_ref,
                )
            )
        raise_problems(type(self).__name__, problems)
        return self

    @property
    def received_on(self) -> date:
        """The day the complaint was received (UTC day when a datetime was given)."""
        if isinstance(self.received_at, datetime):
            return self.received_at.date()
        return self.received_at


class ComplaintReceived(EventEnvelope[Complaint]):
    """Event ``complaint.received`` (schema v1): a complaint was received about a site."""

    type: Literal["complaint.received"] = "complaint.received"
    schemaversion: Literal[1] = 1
