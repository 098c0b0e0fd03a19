"""Which improvement actions a fact opens or extends, and when the same theme recurring across a
region's sites raises a learning alert. Pure: the adapter supplies the site's recent history.

Actions are keyed per site: ``theme:<theme>`` (recurrence), ``audit:<audit type>``,
``feedback:negative``, ``harm:<event id>`` (each serious incident is reviewed on its own) and
``complaint:<complaint event id>`` (an upheld complaint).
A fact that fits an action already open at its site is linked to it instead of opening another.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from services.learning.domain.action_rules import (
    ActionRules,
    physical_at_least,
    psychological_at_least,
)
from shared.events import (
    AnyFactEvent,
    AuditCompleted,
    ComplaintResolved,
    FeedbackReceived,
    IncidentReported,
)

ACTION_NAMESPACE = uuid.UUID("2b7e6c8e-3d0f-4b9a-8f51-6a1c9d2e4f70")


@dataclass(frozen=True)
class SiteHistory:
    """What the site's recent facts say, counted including the fact being decided."""

    theme_counts: Mapping[str, int]
    """Facts per theme at this site within the recurrence window."""
    open_actions: Mapping[str, str]
    """Action key -> id of the action open at this site."""
    negative_feedback: int = 0
    """Negative feedback at this site within the feedback window."""


@dataclass(frozen=True)
class ActionDecision:
    """Open a new action, or link the fact to an open one."""

    verb: Literal["open", "link"]
    action_id: str
    action_key: str
    rule_id: str
    title: str
    theme_id: str | None
    due_at: datetime | None


def action_id_for(site_id: str, key: str, event_id: str) -> str:
    """A stable id, so reprocessing the same fact yields the same action."""
    return f"act-{uuid.uuid5(ACTION_NAMESPACE, f'{site_id}/{key}/{event_id}')}"


def decide_actions(
    event: AnyFactEvent,
    themes: list[str],
    history: SiteHistory,
    rules: ActionRules,
    *,
    now: datetime,
) -> list[ActionDecision]:
    """Every action decision ``event`` leads to, in a deterministic order; due dates follow
    severity (an incident's harm) and kind (recurrence, audit, feedback)."""
    days = rules.due_days
    wanted: list[tuple[str, str, str, str | None, int]] = []  # key, rule, title, theme, due
    if isinstance(event, IncidentReported):
        data = event.data
        if is_serious_harm(event, rules):
            category = data.category.value.replace("_", " ")
            title = f"Review {category} incident ({data.physical_harm.value} physical harm)"
            worst = max(_rank(data.physical_harm.value), _rank(data.psychological_harm.value))
            due = days.fatal if worst >= 4 else days.severe if worst == 3 else days.moderate
            wanted.append((f"harm:{event.id}", rules.harm.rule_id, title, None, due))
    for theme in themes:
        key = f"theme:{theme}"
        if key in history.open_actions or (
            history.theme_counts.get(theme, 0) >= rules.theme_recurrence.events
        ):
            title = f"Reduce recurring {theme.replace('_', ' ')} at this site"
            wanted.append((key, rules.theme_recurrence.rule_id, title, theme, days.recurrence))
    if isinstance(event, AuditCompleted):
        audit = event.data
        failing = audit.score is not None and audit.score < rules.audit.score_below
        if failing or len(audit.failed_items) >= rules.audit.open_on_failed_items:
            name = audit.audit_type.value.replace("_", " ")
            wanted.append(
                (f"audit:{audit.audit_type.value}", rules.audit.rule_id,
                 f"Improve {name} audit results", None, days.audit)
            )  # fmt: skip
    if isinstance(event, ComplaintResolved) and (
        event.data.outcome in rules.upheld_complaint.outcomes
    ):
        key = f"complaint:{event.data.complaint_event_id}"
        title = f"Act on {event.data.outcome.value.replace('_', ' ')} complaint"
        wanted.append((key, rules.upheld_complaint.rule_id, title, None, days.complaint))
    if isinstance(event, FeedbackReceived) and _negative(event, rules):
        key = "feedback:negative"
        if key in history.open_actions or (
            history.negative_feedback >= rules.negative_feedback.events
        ):
            title = "Respond to a run of negative feedback"
            wanted.append((key, rules.negative_feedback.rule_id, title, None, days.feedback))
    return [
        _decision(event, key, rule, title, theme, history, now + timedelta(days=due))
        for key, rule, title, theme, due in wanted
    ]


def _rank(level: str) -> int:
    """Harm levels in order: none 0, low 1, moderate 2, severe 3, fatal 4."""
    return ["none", "low", "moderate", "severe", "fatal"].index(level)


def is_serious_harm(event: AnyFactEvent, rules: ActionRules) -> bool:
    """True for an incident at or above the harm thresholds that open an action."""
    if not isinstance(event, IncidentReported):
        return False
    data = event.data
    return physical_at_least(data.physical_harm, rules.harm.physical_at_or_above) or (
        psychological_at_least(data.psychological_harm, rules.harm.psychological_at_or_above)
    )


def _negative(event: FeedbackReceived, rules: ActionRules) -> bool:
    rating = event.data.rating
    return rating is not None and rating <= rules.negative_feedback.rating_at_most


def is_negative_feedback(event: AnyFactEvent, rules: ActionRules) -> bool:
    """True for feedback rated at or under the rules' threshold."""
    return isinstance(event, FeedbackReceived) and _negative(event, rules)


def _decision(
    event: AnyFactEvent,
    key: str,
    rule_id: str,
    title: str,
    theme: str | None,
    history: SiteHistory,
    due: datetime,
) -> ActionDecision:
    existing = history.open_actions.get(key)
    if existing is not None:
        return ActionDecision("link", existing, key, rule_id, title, theme, None)
    return ActionDecision(
        "open", action_id_for(event.siteid, key, event.id), key, rule_id, title, theme, due
    )


@dataclass(frozen=True)
class AlertDecision:
    """Raise a cross-site learning alert for a theme in a region."""

    alert_id: str
    theme_id: str
    region: str
    site_ids: tuple[str, ...]
    event_count: int


def decide_alert(
    *,
    theme_id: str,
    region: str,
    sites_in_window: Mapping[str, int],
    already_alerted: Set[str],
    rules: ActionRules,
    event_id: str,
) -> AlertDecision | None:
    """An alert when the theme reached the site threshold and no alert covers this window.

    ``already_alerted`` holds the themes alerted in this region within the window.
    """
    if len(sites_in_window) < rules.alerts.sites or theme_id in already_alerted:
        return None
    alert_id = f"alert-{uuid.uuid5(ACTION_NAMESPACE, f'{region}/{theme_id}/{event_id}')}"
    return AlertDecision(
        alert_id=alert_id,
        theme_id=theme_id,
        region=region,
        site_ids=tuple(sorted(sites_in_window)),
        event_count=sum(sites_in_window.values()),
    )
