"""Obligation kinds: statutory and policy follow-ups an event may make due, and their deadlines.

The defaults follow the deadlines table of the domain reference. Whether a deadline is set in
law or is a provider's policy default is recorded in ``statutory``, because a report must not
present a policy default as the law.
"""

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.learning.domain.conditions import Condition, FieldPath
from services.learning.domain.event_paths import EventType
from services.learning.domain.frameworks import Title
from services.learning.domain.rule_model import RuleModel
from services.learning.domain.working_days import DeadlineUnit, WorkingCalendar

ObligationId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
"""Id of an obligation kind, e.g. ``duty_of_candour``."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]


class StatutoryStatus(StrEnum):
    """How far an obligation and its deadline are set in law."""

    STATUTORY = "statutory"
    """Required by law, deadline included (or as the law words it)."""
    POLICY = "policy"
    """Set by local or provider policy."""
    STATUTORY_WORDING_POLICY_DEFAULT = "statutory_wording_policy_default"
    """Required by law in words ("as soon as reasonably practicable"); the deadline is a policy
    default that gives those words a date."""


class Deadline(RuleModel):
    """How long after the clock starts the obligation falls due."""

    amount: int = Field(ge=0, le=3660)
    unit: DeadlineUnit
    statutory_wording: Text | None = Field(
        default=None,
        description="The law's own words when it sets no number, e.g. 'without delay'.",
    )


class Trigger(RuleModel):
    """When an event of one type makes the obligation due, and when its clock starts."""

    event_type: EventType
    clock_starts: FieldPath = Field(description="Date or datetime field of the event's data.")
    when: Condition | None = Field(default=None, description="Always due when absent.")
    statutory_when: Condition | None = Field(
        default=None,
        description="When this holds, the obligation is statutory for this event, whatever "
        "the kind's default status (e.g. complaints about NHS-funded care).",
    )


class ObligationKind(RuleModel):
    """A kind of obligation, e.g. a CQC notification or a complaint acknowledgement."""

    id: ObligationId
    title: Title
    statutory: StatutoryStatus
    deadline: Deadline
    legal_reference: Text
    triggers: tuple[Trigger, ...] = Field(min_length=1)


class CalendarSettings(RuleModel):
    """The working-day calendar deadlines are counted on."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    subdivision: Annotated[str, StringConstraints(min_length=1, max_length=10)] | None
    time_zone: Annotated[str, StringConstraints(min_length=1, max_length=64)]

    def calendar(self) -> WorkingCalendar:
        """The settings as a :class:`WorkingCalendar`."""
        return WorkingCalendar(self.country, self.subdivision, self.time_zone)


class ObligationsFile(RuleModel):
    """``obligations.json``."""

    schema_version: Literal[1]
    version: Title
    working_calendar: CalendarSettings
    obligations: tuple[ObligationKind, ...] = Field(min_length=1)
