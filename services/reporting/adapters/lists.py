"""Paged lists of improvement actions, obligations and lessons, within what a key may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.reader import within
from services.reporting.adapters.records import to_record
from services.reporting.adapters.tables import actions, lessons, obligations
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.actions import DONE, UNASSIGNED, ActionRecord
from services.reporting.domain.obligations import ObligationRecord, ObligationState

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list and how many items match in all."""

    items: list[T]
    total: int


@dataclass(frozen=True)
class ActionQuery:
    """Filters of the action list."""

    status: str | None = None
    overdue: bool | None = None
    owner_role: str | None = None
    theme: str | None = None


async def _page(connection: AsyncConnection, query: Select[Any], limit: int, offset: int
                ) -> tuple[list[dict[str, object]], int]:  # fmt: skip
    total = await connection.scalar(select(func.count()).select_from(query.subquery()))
    rows = await connection.execute(query.limit(limit).offset(offset))
    return [dict(row) for row in rows.mappings().all()], int(total or 0)


async def list_actions(
    connection: AsyncConnection, read: ReadFilter, filters: ActionQuery, *, now: datetime,
    limit: int, offset: int,
) -> Page[ActionRecord]:  # fmt: skip
    """Actions matching ``filters``, soonest due first (no due date last)."""
    conditions = within(actions, read)
    if filters.status is not None:
        conditions.append(actions.c.status == filters.status)
    if filters.owner_role == UNASSIGNED:
        conditions.append(actions.c.owner_role.is_(None))
    elif filters.owner_role is not None:
        conditions.append(actions.c.owner_role == filters.owner_role)
    if filters.theme is not None:
        conditions.append(actions.c.theme_id == filters.theme)
    if filters.overdue is not None:
        late = and_(actions.c.status.not_in(sorted(DONE)), actions.c.due_at < now)
        conditions.append(late if filters.overdue else not_(late) | actions.c.due_at.is_(None))
    query = (
        select(actions)
        .where(*conditions)
        .order_by(actions.c.due_at.is_(None), actions.c.due_at, actions.c.action_id)
    )
    rows, total = await _page(connection, query, limit, offset)
    return Page([to_record(ActionRecord, row) for row in rows], total)


def obligation_state_is(state: ObligationState, now: datetime) -> ColumnElement[bool]:
    """SQL for :meth:`ObligationRecord.state` equal to ``state``."""
    late = or_(obligations.c.flagged_overdue.is_(True), obligations.c.due_at < now)
    if state is ObligationState.MET:
        return obligations.c.met_at.is_not(None)
    if state is ObligationState.OVERDUE:
        return and_(obligations.c.met_at.is_(None), late)
    return and_(obligations.c.met_at.is_(None), not_(late))


async def list_obligations(
    connection: AsyncConnection, read: ReadFilter, *, state: ObligationState | None,
    kind: str | None, now: datetime, limit: int, offset: int,
) -> Page[ObligationRecord]:  # fmt: skip
    """Obligations in a state and of a kind, soonest due first."""
    conditions = within(obligations, read)
    if state is not None:
        conditions.append(obligation_state_is(state, now))
    if kind is not None:
        conditions.append(obligations.c.kind == kind)
    query = (
        select(obligations)
        .where(*conditions)
        .order_by(obligations.c.due_at, obligations.c.obligation_id)
    )
    rows, total = await _page(connection, query, limit, offset)
    return Page([to_record(ObligationRecord, row) for row in rows], total)


@dataclass(frozen=True)
class LessonRow:
    """A lesson of the provider's library."""

    lesson_id: str
    action_id: str
    theme_id: str | None
    site_id: str
    region: str
    shared_at: datetime
    what_happened: str
    evidence_of_effect: str


async def list_lessons(
    connection: AsyncConnection, read: ReadFilter, *, theme: str | None, text: str | None,
    limit: int, offset: int,
) -> Page[LessonRow]:  # fmt: skip
    """The lessons library, newest first: by theme, and by words in what happened or in the
    evidence of effect (case-insensitive)."""
    conditions = within(lessons, read)
    if theme is not None:
        conditions.append(lessons.c.theme_id == theme)
    if text:
        words = text.lower()  # % and _ are the user's characters, not wildcards
        conditions.append(
            or_(
                func.lower(lessons.c.what_happened).contains(words, autoescape=True),
                func.lower(lessons.c.evidence_of_effect).contains(words, autoescape=True),
            )
        )
    query = (
        select(
            lessons.c.lesson_id, lessons.c.action_id, lessons.c.theme_id, lessons.c.site_id,
            lessons.c.region, lessons.c.shared_at, lessons.c.what_happened,
            lessons.c.evidence_of_effect,
        )
        .where(*conditions)
        .order_by(lessons.c.shared_at.desc(), lessons.c.lesson_id)
    )  # fmt: skip
    rows, total = await _page(connection, query, limit, offset)
    return Page([LessonRow(**row) for row in rows], total)  # type: ignore[arg-type]
