"""Small facts about the projection itself: the active consumer group, the newest event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.rows import aware, insert_for, upsert
from services.reporting.adapters.tables import state

ACTIVE_GROUP = "active_group"
NEWEST_EVENT = "newest_event"


async def active_group(connection: AsyncConnection) -> str | None:
    """The consumer group recorded by the last rebuild, if any."""
    value = await connection.scalar(select(state.c.value).where(state.c.name == ACTIVE_GROUP))
    return str(value) if value is not None else None


async def set_active_group(connection: AsyncConnection, group_id: str, at: datetime) -> None:
    """Record the consumer group ``serve`` resumes from."""
    await upsert(connection, state, [{"name": ACTIVE_GROUP, "value": group_id, "at": at}])


async def newest_event(connection: AsyncConnection) -> datetime | None:
    """The ``time`` of the newest event projected so far."""
    value = await connection.scalar(select(state.c.at).where(state.c.name == NEWEST_EVENT))
    return aware(value) if value is not None else None


async def note_newest_event(connection: AsyncConnection, at: datetime) -> None:
    """Keep the newest event time (events arrive out of order across topics): one statement."""
    statement = insert_for(state, connection.dialect.name).values(
        name=NEWEST_EVENT, value=None, at=at
    )
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[state.c.name],
            set_={"at": statement.excluded.at},
            where=or_(state.c.at.is_(None), state.c.at < statement.excluded.at),
        )
    )
