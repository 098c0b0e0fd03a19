"""Evidence for a CQC quality statement: which themes map to it, and what evidences it.

The mapping comes from the learning rulebook (framework versions are data: ``saf-2023``,
``draft-2026``), so the evidence view follows whatever mapping the provider has tailored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.learning.domain.rulebook import Rulebook


class EvidenceError(LookupError):
    """An unknown framework or quality statement."""


@dataclass(frozen=True)
class StatementRef:
    """A quality statement (or draft key line of enquiry) and its framework."""

    framework_id: str
    framework_title: str
    framework_status: str
    framework_verified: bool
    key_question: str
    statement_id: str
    title: str


@dataclass(frozen=True)
class ThemeRef:
    """A theme mapped to the statement."""

    theme_id: str
    title: str


def statement_themes(
    rulebook: Rulebook, framework_id: str, statement_id: str
) -> tuple[StatementRef, list[ThemeRef]]:
    """The statement and the themes mapped to it; raises EvidenceError when unknown."""
    framework = rulebook.frameworks.get(framework_id)
    if framework is None:
        known = ", ".join(sorted(rulebook.frameworks))
        raise EvidenceError(f"unknown framework {framework_id!r}; known: {known}")
    for question in framework.key_questions:
        for statement in question.statements:
            if statement.id == statement_id:
                ref = StatementRef(
                    framework.id, framework.title, framework.status, framework.verified,
                    question.id, statement.id, statement.title,
                )  # fmt: skip
                themes = [
                    ThemeRef(theme.id, theme.title)
                    for theme in rulebook.themes.values()
                    if statement_id in theme.quality_statements.get(framework_id, ())
                ]
                return ref, themes
    raise EvidenceError(f"framework {framework_id!r} has no statement {statement_id!r}")


@dataclass(frozen=True)
class EvidenceCounts:
    """How much evidence the period holds for the statement."""

    events: int  # incidents, complaints and feedback linked to its themes
    incidents: int
    complaints: int
    feedback: int
    audits: int
    actions: int
    actions_verified_effective: int
    lessons: int


@dataclass(frozen=True)
class EvidenceEvent:
    """A fact linked to one of the statement's themes (no free text)."""

    event_id: str
    event_type: str
    site_id: str
    region: str
    occurred_at: datetime
    themes: list[str]
    detail: str | None  # category, audit type or feedback kind
    physical_harm: str | None
    score_pct: float | None  # audits


@dataclass(frozen=True)
class EvidenceAction:
    """An improvement action on one of the statement's themes."""

    action_id: str
    site_id: str
    theme_id: str | None
    title: str | None
    status: str
    opened_at: datetime | None
    verdict: str | None


@dataclass(frozen=True)
class EvidenceLesson:
    """A lesson shared on one of the statement's themes."""

    lesson_id: str
    action_id: str
    site_id: str
    theme_id: str | None
    shared_at: datetime
    what_happened: str
    evidence_of_effect: str


@dataclass(frozen=True)
class Evidence:
    """The evidence view of one statement for a range of months."""

    statement: StatementRef
    themes: list[ThemeRef]
    first_month: str
    last_month: str
    counts: EvidenceCounts
    latest_events: list[EvidenceEvent]
    latest_audits: list[EvidenceEvent]
    latest_actions: list[EvidenceAction]
    latest_lessons: list[EvidenceLesson]
