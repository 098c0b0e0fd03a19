"""Events the learning service derives and publishes (themes, obligations, actions, alerts).

They use the same CloudEvents envelope as the facts, keyed by the site of the source event
(alerts: the region's first site), and carry the source event's id so every conclusion can be
traced back to the facts behind it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from shared.events.envelope import EventEnvelope
from shared.events.types import ContractModel, SafeId, ShortText, Slug, UtcDatetime

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


class AlertRaised(EventEnvelope[LearningAlert]):
    """Event ``alert.raised``."""

    type: Literal["alert.raised"] = "alert.raised"
    schemaversion: Literal[1] = 1


DerivedEvent = ThemeLinked | ObligationFlagged | ActionOpened | ActionLinked | AlertRaised
