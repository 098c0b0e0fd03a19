"""Reading the read models for a range of months, within what an API key may see."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters.records import to_record
from services.reporting.adapters.rows import aware
from services.reporting.adapters.sites_file import site_sizes
from services.reporting.adapters.tables import (
    actions,
    alert_sites,
    alerts,
    cube,
    lessons,
    obligations,
)
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.actions import ActionRecord
from services.reporting.domain.cube import Cell
from services.reporting.domain.facts import INCIDENTS
from services.reporting.domain.obligations import ObligationRecord
from services.reporting.domain.periods import Period
from services.reporting.domain.sites import SiteSize
from services.reporting.domain.summary import ReadModel


def within(table: Table, read: ReadFilter) -> list[ColumnElement[bool]]:
    """Conditions keeping rows of ``table`` to the filter's provider, sites and region."""
    conditions: list[ColumnElement[bool]] = [table.c.provider_id == read.provider_id]
    if read.sites is not None:
        conditions.append(table.c.site_id.in_(sorted(read.sites)))
    if read.region is not None:
        conditions.append(table.c.region == read.region)
    return conditions


def between(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    """``start <= column < end``."""
    return and_(column >= start, column < end)


async def read_model(connection: AsyncConnection, read: ReadFilter, span: Period) -> ReadModel:
    """Everything a summary of ``span`` (widened to whole periods) needs."""
    start, end = span.start, span.end
    months = and_(cube.c.month >= span.first.label, cube.c.month <= span.last.label)
    cells = await connection.execute(
        select(cube.c.month, cube.c.metric, cube.c.dimension, func.sum(cube.c.count),
               func.sum(cube.c.total))
        .where(*within(cube, read), months)
        .group_by(cube.c.month, cube.c.metric, cube.c.dimension)
    )  # fmt: skip
    per_site = await connection.execute(
        select(cube.c.month, cube.c.site_id, func.sum(cube.c.count))
        .where(*within(cube, read), months, cube.c.metric == INCIDENTS)
        .group_by(cube.c.month, cube.c.site_id)
    )
    times = [actions.c.opened_at, actions.c.completed_at, actions.c.due_at,
             actions.c.reviewed_at, actions.c.escalated_at]  # fmt: skip
    action_rows = await connection.execute(
        select(actions).where(*within(actions, read), or_(*(between(t, start, end) for t in times)))
    )
    obligation_rows = await connection.execute(
        select(obligations).where(
            *within(obligations, read), between(obligations.c.due_at, start, end)
        )
    )
    return ReadModel(
        cells=[Cell(m, metric, d, int(c), int(t)) for m, metric, d, c, t in cells.all()],
        site_incidents=[Cell(m, INCIDENTS, site, int(c)) for m, site, c in per_site.all()],
        actions=[to_record(ActionRecord, row) for row in action_rows.mappings().all()],
        obligations=[to_record(ObligationRecord, r) for r in obligation_rows.mappings().all()],
        alerts=await alert_times(connection, read, start, end),
        lessons=[
            aware(at)
            for (at,) in await connection.execute(
                select(lessons.c.shared_at).where(
                    *within(lessons, read), between(lessons.c.shared_at, start, end)
                )
            )
        ],
        sites=await visible_sites(connection, read),
    )


async def alert_times(
    connection: AsyncConnection, read: ReadFilter, start: datetime, end: datetime
) -> list[datetime]:
    """When each alert involving the filter's sites was raised (each alert once)."""
    conditions = [alerts.c.provider_id == read.provider_id, between(alerts.c.raised_at, start, end)]
    if read.region is not None:
        conditions.append(alerts.c.region == read.region)
    query = select(alerts.c.alert_id, alerts.c.raised_at).where(*conditions)
    if read.sites is not None:
        involved = select(alert_sites.c.alert_id).where(
            alert_sites.c.site_id.in_(sorted(read.sites))
        )
        query = query.where(alerts.c.alert_id.in_(involved))
    return [aware(at) for _, at in (await connection.execute(query)).all()]


async def visible_sites(connection: AsyncConnection, read: ReadFilter) -> dict[str, SiteSize]:
    """Site sizes the filter may see: named for the provider, or seen in its data."""
    seen = {
        site
        for (site,) in await connection.execute(
            select(cube.c.site_id).where(*within(cube, read)).distinct()
        )
    }
    sizes = await site_sizes(connection)
    return {
        site_id: size
        for site_id, size in sizes.items()
        if (size.provider_id == read.provider_id or (size.provider_id is None and site_id in seen))
        and (read.sites is None or site_id in read.sites)
        and (read.region is None or size.region == read.region)
    }


async def seen_sites(connection: AsyncConnection, read: ReadFilter) -> dict[str, str]:
    """Sites with any data the filter may see, and their regions."""
    rows = await connection.execute(
        select(cube.c.site_id, cube.c.region).where(*within(cube, read)).distinct()
    )
    return {site: region for site, region in rows.all()}
