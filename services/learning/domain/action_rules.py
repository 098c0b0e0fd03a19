"""The improvement-action and learning-alert thresholds (rules/actions.json), validated."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.events import ComplaintOutcome, PhysicalHarm, PsychologicalHarm

PHYSICAL_ORDER = ["none", "low", "moderate", "severe", "fatal"]
PSYCHOLOGICAL_ORDER = ["none", "low", "moderate", "severe"]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HarmRule(_Rule):
    """Any incident at or above these harm levels opens an action."""

    rule_id: str
    physical_at_or_above: PhysicalHarm
    psychological_at_or_above: PsychologicalHarm


class RecurrenceRule(_Rule):
    """``events`` facts with the same theme at one site within ``window_days``."""

    rule_id: str
    events: int = Field(ge=2)
    window_days: int = Field(ge=1, le=366)


class AuditRule(_Rule):
    """An audit scoring under ``score_below`` or with that many failed items."""

    rule_id: str
    score_below: float = Field(gt=0, le=1)
    open_on_failed_items: int = Field(ge=1)


class FeedbackRule(_Rule):
    """``events`` pieces of feedback rated at most ``rating_at_most`` within the window."""

    rule_id: str
    rating_at_most: int = Field(ge=1, le=5)
    events: int = Field(ge=1)
    window_days: int = Field(ge=1, le=366)


class AlertRule(_Rule):
    """The same theme at ``sites`` or more sites of a region within the window."""

    rule_id: str
    sites: int = Field(ge=2)
    window_days: int = Field(ge=1, le=366)


class EffectivenessRule(_Rule):
    """How a completed action is judged: the theme's count at the site in a window before
    completion against the same window after; effective when it fell by the required share
    (audit actions: the next audits of that type reached the target score)."""

    window_days: int = Field(ge=7, le=366)
    required_reduction: float = Field(ge=0, lt=1)
    audit_score_target: float = Field(gt=0, le=1)


class DueDays(_Rule):
    """Days from the fact to an action's due date, by severity and kind."""

    fatal: int = Field(ge=1, le=366)
    severe: int = Field(ge=1, le=366)
    moderate: int = Field(ge=1, le=366)
    recurrence: int = Field(ge=1, le=366)
    audit: int = Field(ge=1, le=366)
    feedback: int = Field(ge=1, le=366)
    complaint: int = Field(ge=1, le=366)


class UpheldComplaintRule(_Rule):
    """A complaint resolved with one of these outcomes opens an action."""

    rule_id: str
    outcomes: list[ComplaintOutcome] = Field(min_length=1)


class ActionRules(_Rule):
    """Every action and alert threshold."""

    version: str
    description: str = ""
    due_days: DueDays
    harm: HarmRule
    theme_recurrence: RecurrenceRule
    audit: AuditRule
    negative_feedback: FeedbackRule
    alerts: AlertRule
    upheld_complaint: UpheldComplaintRule
    effectiveness: EffectivenessRule
    overdue_check_seconds: float = Field(60, gt=0)


class ActionRulesError(ValueError):
    """The action rules file is missing or invalid; the message names the fields."""


def load_action_rules(path: Path | None = None) -> ActionRules:
    """Read and validate ``actions.json`` (default: the one shipped with the package)."""
    source = path or files("services.learning") / "rules" / "actions.json"
    try:
        return ActionRules.model_validate(json.loads(source.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise ActionRulesError(f"actions.json not found: {source}") from exc
    except json.JSONDecodeError as exc:
        raise ActionRulesError(f"actions.json is not valid JSON: {exc}") from exc
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ActionRulesError(f"actions.json is invalid: {problems}") from exc


def physical_at_least(level: str, threshold: str) -> bool:
    """True when physical harm ``level`` is at or above ``threshold``."""
    return PHYSICAL_ORDER.index(level) >= PHYSICAL_ORDER.index(threshold)


def psychological_at_least(level: str, threshold: str) -> bool:
    """True when psychological harm ``level`` is at or above ``threshold``."""
    return PSYCHOLOGICAL_ORDER.index(level) >= PSYCHOLOGICAL_ORDER.index(threshold)
