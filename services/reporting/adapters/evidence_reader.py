"""Reading the evidence for a set of themes: counts and the latest items of each kind."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.reader import between, within
from services.reporting.adapters.rows import aware
from services.reporting.adapters.tables import actions, facts, lessons, theme_links
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.evidence import (
    EvidenceAction,
    EvidenceCounts,
    EvidenceEvent,
    EvidenceLesson,
)
from services.reporting.domain.facts import SCORE_SCALE

AUDIT = "audit.completed"


async def evidence_counts(
    connection: AsyncConnection, read: ReadFilter, themes: Sequence[str], start: datetime,
    end: datetime,
) -> EvidenceCounts:  # fmt: skip
    """Distinct facts per type, actions and lessons on ``themes`` in ``[start, end)``."""
    linked = await connection.execute(
        select(theme_links.c.event_type, func.count(theme_links.c.source_event_id.distinct()))
        .where(*within(theme_links, read), theme_links.c.theme_id.in_(themes),
               between(theme_links.c.occurred_at, start, end))
        .group_by(theme_links.c.event_type)
    )  # fmt: skip
    per_type = {event_type: int(count) for event_type, count in linked.all()}
    on_themes = [*within(actions, read), actions.c.theme_id.in_(themes),
                 between(actions.c.opened_at, start, end)]  # fmt: skip
    action_count = await connection.scalar(select(func.count()).where(*on_themes))
    effective = await connection.scalar(
        select(func.count()).where(*on_themes, actions.c.verdict == "verified_effective")
    )
    lesson_count = await connection.scalar(
        select(func.count()).where(*within(lessons, read), lessons.c.theme_id.in_(themes),
                                   between(lessons.c.shared_at, start, end))
    )  # fmt: skip
    incidents = per_type.get("incident.reported", 0)
    complaints = per_type.get("complaint.received", 0)
    feedback = per_type.get("feedback.received", 0)
    return EvidenceCounts(
        events=incidents + complaints + feedback, incidents=incidents, complaints=complaints,
        feedback=feedback, audits=per_type.get(AUDIT, 0), actions=int(action_count or 0),
        actions_verified_effective=int(effective or 0), lessons=int(lesson_count or 0),
    )  # fmt: skip


async def latest_events(
    connection: AsyncConnection, read: ReadFilter, themes: Sequence[str], start: datetime,
    end: datetime, *, audits: bool, limit: int,
) -> list[EvidenceEvent]:  # fmt: skip
    """The newest facts linked to ``themes`` (audits only, or everything but audits)."""
    kind = theme_links.c.event_type == AUDIT if audits else theme_links.c.event_type != AUDIT
    rows = await connection.execute(
        select(theme_links, facts.c.detail, facts.c.physical_harm, facts.c.score_ppm)
        .outerjoin(facts, facts.c.event_id == theme_links.c.source_event_id)
        .where(*within(theme_links, read), theme_links.c.theme_id.in_(themes), kind,
               between(theme_links.c.occurred_at, start, end))
        .order_by(theme_links.c.occurred_at.desc(), theme_links.c.source_event_id)
        .limit(limit * max(1, len(themes)))
    )  # fmt: skip
    found: dict[str, EvidenceEvent] = {}
    for row in rows.mappings().all():
        item = found.get(row["source_event_id"])
        if item is not None:
            item.themes.append(row["theme_id"])
        elif len(found) < limit:
            found[row["source_event_id"]] = _event(row)
    return list(found.values())


def _event(row: Any) -> EvidenceEvent:
    score = row["score_ppm"]
    return EvidenceEvent(
        event_id=row["source_event_id"], event_type=row["event_type"], site_id=row["site_id"],
        region=row["region"], occurred_at=aware(row["occurred_at"]), themes=[row["theme_id"]],
        detail=row["detail"], physical_harm=row["physical_harm"],
        score_pct=round(100 * score / SCORE_SCALE, 1) if score is not None else None,
    )  # fmt: skip


async def latest_actions(
    connection: AsyncConnection, read: ReadFilter, themes: Sequence[str], start: datetime,
    end: datetime, limit: int,
) -> list[EvidenceAction]:  # fmt: skip
    """The newest actions opened on ``themes``."""
    rows = await connection.execute(
        select(actions)
        .where(*within(actions, read), actions.c.theme_id.in_(themes),
               between(actions.c.opened_at, start, end))
        .order_by(actions.c.opened_at.desc(), actions.c.action_id)
        .limit(limit)
    )  # fmt: skip
    return [
        EvidenceAction(
            r["action_id"],
            r["site_id"],
            r["theme_id"],
            r["title"],
            r["status"],
            aware(r["opened_at"]),
            r["verdict"],
        )
        for r in rows.mappings().all()
    ]


async def latest_lessons(
    connection: AsyncConnection, read: ReadFilter, themes: Sequence[str], start: datetime,
    end: datetime, limit: int,
) -> list[EvidenceLesson]:  # fmt: skip
    """The newest lessons shared on ``themes``."""
    rows = await connection.execute(
        select(lessons)
        .where(*within(lessons, read), lessons.c.theme_id.in_(themes),
               between(lessons.c.shared_at, start, end))
        .order_by(lessons.c.shared_at.desc(), lessons.c.lesson_id)
        .limit(limit)
    )  # fmt: skip
    return [
        EvidenceLesson(
            r["lesson_id"],
            r["action_id"],
            r["site_id"],
            r["theme_id"],
            aware(r["shared_at"]),
            r["what_happened"],
            r["evidence_of_effect"],
        )
        for r in rows.mappings().all()
    ]
