"""Events the learning service derives and publishes (themes, obligations, actions, alerts).

They use the same CloudEvents envelope as the facts, keyed by the site of the source event
(alerts: the region's first site), and carry the source event's id so every conclusion can be
traced back to the facts behind it.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, Field, StringConstraints

from shared.events.envelope import EventEnvelope
from shared.events.sensitivity import SENSITIVE
from shared.events.types import (
    ContractModel,
    MediumText,
    PseudonymousRef,
    SafeId,
    ShortText,
    Slug,
    UtcDatetime,
)

RuleName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
"""Ids from the rule files: themes, obligation kinds (lowercase, digits, _ and -)."""


class ThemeMatchRecord(ContractModel):
    """Why a theme was linked: the rule and the field it looked at (never the free text)."""

    rule_id: ShortText
    source: Literal["field", "text"]
    field: ShortText


class ThemeLink(ContractModel):
    """A theme linked to a fact event."""

    source_event_id: SafeId
    source_event_type: ShortText
    theme_id: RuleName
    matches: list[ThemeMatchRecord] = Field(min_length=1)
    quality_statements: dict[str, list[ShortText]] = Field(
        default_factory=dict, description="Framework version -> quality statement ids."
    )


class ThemeLinked(EventEnvelope[ThemeLink]):
    """Event ``theme.linked``."""

    type: Literal["theme.linked"] = "theme.linked"
    schemaversion: Literal[1] = 1


class ObligationFlag(ContractModel):
    """Something the law or policy requires because of a fact, with its deadline."""

    obligation_id: SafeId
    kind: RuleName
    status: ShortText = Field(
        description="statutory, policy, or statutory wording with a policy default"
    )
    due_at: UtcDatetime
    source_event_id: SafeId
    reasons: list[ShortText] = Field(min_length=1)


class ObligationFlagged(EventEnvelope[ObligationFlag]):
    """Event ``obligation.flagged``."""

    type: Literal["obligation.flagged"] = "obligation.flagged"
    schemaversion: Literal[1] = 1


class ImprovementActionChange(ContractModel):
    """An improvement action opened, or a fact linked to an open one."""

    action_id: SafeId
    rule_id: ShortText
    title: ShortText
    theme_id: RuleName | None = None
    source_event_id: SafeId
    due_at: UtcDatetime | None = None


class ActionOpened(EventEnvelope[ImprovementActionChange]):
    """Event ``action.opened``: a rule opened an improvement action."""

    type: Literal["action.opened"] = "action.opened"
    schemaversion: Literal[1] = 1


class ActionLinked(EventEnvelope[ImprovementActionChange]):
    """Event ``action.linked``: a fact was linked to an improvement action already open."""

    type: Literal["action.linked"] = "action.linked"
    schemaversion: Literal[1] = 1


class LearningAlert(ContractModel):
    """The same theme recurring across sites of a region: share the learning."""

    alert_id: SafeId
    theme_id: RuleName
    site_ids: list[Slug] = Field(min_length=2)
    event_count: int = Field(ge=1)
    window_days: int = Field(ge=1)
    event_ids: list[SafeId] = Field(
        default_factory=list, max_length=500, description="The linked facts (newest 500)."
    )


class AlertRaised(EventEnvelope[LearningAlert]):
    """Event ``alert.raised``."""

    type: Literal["alert.raised"] = "alert.raised"
    schemaversion: Literal[1] = 1


class ObligationOutcome(ContractModel):
    """An obligation met (with whether on time) or found overdue."""

    obligation_id: SafeId
    kind: RuleName
    due_at: UtcDatetime
    source_event_id: SafeId
    met_at: UtcDatetime | None = None
    on_time: bool | None = None
    reference: ShortText | None = Field(
        default=None, description="e.g. the CQC notification reference", json_schema_extra=SENSITIVE
    )


class ObligationMet(EventEnvelope[ObligationOutcome]):
    """Event ``obligation.met``: the required action was recorded as taken."""

    type: Literal["obligation.met"] = "obligation.met"
    schemaversion: Literal[1] = 1


class ObligationOverdue(EventEnvelope[ObligationOutcome]):
    """Event ``obligation.overdue``: the deadline passed with the obligation still open."""

    type: Literal["obligation.overdue"] = "obligation.overdue"
    schemaversion: Literal[1] = 1


class ActionStatus(StrEnum):
    """Where an improvement action stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    VERIFIED_EFFECTIVE = "verified_effective"
    NOT_EFFECTIVE = "not_effective"
    CLOSED = "closed"


class ActionChangeKind(StrEnum):
    """What a manager (or the review) changed."""

    ASSIGNED = "assigned"
    PROGRESS_NOTE = "progress_note"
    EVIDENCE_ADDED = "evidence_added"
    COMPLETED = "completed"
    CLOSED = "closed"


class ActionUpdate(ContractModel):
    """A change to an improvement action made through the actions API."""

    action_id: SafeId
    change: ActionChangeKind
    status: ActionStatus
    at: UtcDatetime
    owner_role: ShortText | None = None
    owner_ref: PseudonymousRef | None = None
    note: MediumText | None = Field(default=None, json_schema_extra=SENSITIVE)


class ActionUpdated(EventEnvelope[ActionUpdate]):
    """Event ``action.updated``: assigned, progress noted, evidence added, completed, closed."""

    type: Literal["action.updated"] = "action.updated"
    schemaversion: Literal[1] = 1


class EffectivenessReview(ContractModel):
    """Did a completed action work? The theme's rate at the site before and after."""

    action_id: SafeId
    verdict: Literal["verified_effective", "not_effective"]
    theme_id: RuleName | None = None
    window_days: int = Field(ge=1)
    events_before: int = Field(ge=0)
    events_after: int = Field(ge=0)
    reviewed_at: UtcDatetime


class ActionReviewed(EventEnvelope[EffectivenessReview]):
    """Event ``action.reviewed``: the effectiveness verdict (not effective reopens it)."""

    type: Literal["action.reviewed"] = "action.reviewed"
    schemaversion: Literal[1] = 1


class ActionEscalation(ContractModel):
    """An action overdue, or found not effective, escalated to the region's leaders."""

    action_id: SafeId
    reason: Literal["overdue", "not_effective"]
    due_at: UtcDatetime | None = None
    escalated_at: UtcDatetime


class ActionEscalated(EventEnvelope[ActionEscalation]):
    """Event ``action.escalated``."""

    type: Literal["action.escalated"] = "action.escalated"
    schemaversion: Literal[1] = 1


class Lesson(ContractModel):
    """A completed action judged effective, shared across the provider's sites."""

    lesson_id: SafeId
    action_id: SafeId
    theme_id: RuleName | None = None
    what_happened: MediumText
    what_we_did: MediumText = Field(json_schema_extra=SENSITIVE)
    evidence_of_effect: MediumText


class LessonShared(EventEnvelope[Lesson]):
    """Event ``lesson.shared``: an entry of the provider's lessons library."""

    type: Literal["lesson.shared"] = "lesson.shared"
    schemaversion: Literal[1] = 1


class ReporterOutcome(ContractModel):
    """ "You said, we did": what came of a reported event, for the reporter's app."""

    source_event_id: SafeId
    action_id: SafeId
    action_title: ShortText
    status: ActionStatus


class OutcomePublished(EventEnvelope[ReporterOutcome]):
    """Event ``outcome.published``: the action linked to a reported event closed."""

    type: Literal["outcome.published"] = "outcome.published"
    schemaversion: Literal[1] = 1


DerivedEvent = (
    ThemeLinked
    | ObligationFlagged
    | ObligationMet
    | ObligationOverdue
    | ActionOpened
    | ActionLinked
    | ActionUpdated
    | ActionReviewed
    | ActionEscalated
    | AlertRaised
    | LessonShared
    | OutcomePublished
)
"""Every event the learning service publishes."""

DERIVED_EVENT_TYPES: dict[str, type[DerivedEvent]] = {
    str(cls.model_fields["type"].default): cls
    for cls in (
        ThemeLinked, ObligationFlagged, ObligationMet, ObligationOverdue, ActionOpened,
        ActionLinked, ActionUpdated, ActionReviewed, ActionEscalated, AlertRaised,
        LessonShared, OutcomePublished,
    )
}  # fmt: skip


ModelT = TypeVar("ModelT", bound=BaseModel)


def assemble(cls: type[ModelT], values: dict[str, Any], fields_set: set[str]) -> ModelT:
    """An instance of ``cls`` holding ``values`` as they are, without validating them.

    For values already known to be valid for ``cls`` (taken from validated models, or checked by
    the caller), where validating them again would cost more than building the event. ``values``
    must hold every field of ``cls`` exactly as validation would have stored it (defaults too),
    and ``fields_set`` the fields validation would count as set; the result then equals, and
    serialises to the same bytes as, ``cls(**{name: values[name] for name in fields_set})``.
    (What :meth:`pydantic.BaseModel.model_construct` does, without its per-field bookkeeping,
    which costs more than validating.)
    """
    instance = cls.__new__(cls)
    object.__setattr__(instance, "__dict__", values)
    object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
    object.__setattr__(instance, "__pydantic_extra__", None)
    object.__setattr__(instance, "__pydantic_private__", None)
    return instance


def parse_derived_event(raw: bytes | str) -> DerivedEvent:
    """Validate a derived event from JSON, choosing the class by its ``type``."""
    payload = json.loads(raw)
    event_type = payload.get("type") if isinstance(payload, dict) else None
    if event_type not in DERIVED_EVENT_TYPES:
        raise ValueError(f"unknown derived event type {event_type!r}")
    return DERIVED_EVENT_TYPES[event_type].model_validate(payload)
