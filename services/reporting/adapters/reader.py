"""Reading the read models for a range of months, within what an API key may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Table,
    and_,
    case,
    cast,
    func,
    not_,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.reporting.adapters import medians
from services.reporting.adapters.cells import ALL_REGIONS, ROLLUPS
from services.reporting.adapters.rows import aware
from services.reporting.adapters.sites_file import site_sizes
from services.reporting.adapters.tables import (
    actions,
    alert_sites,
    alerts,
    cube,
    cube_regions,
    obligations,
    tallies,
    tallies_regions,
)
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.actions import DONE
from services.reporting.domain.cube import Cell, CubeView
from services.reporting.domain.facts import INCIDENTS
from services.reporting.domain.periods import LONDON, Period, month_of
from services.reporting.domain.sites import SiteSize
from services.reporting.domain.summary import ReadModel
from services.reporting.domain.tallies import ALERTS_RAISED, BeforeNow

ROLLUP_NAMES = frozenset(table.name for table in ROLLUPS.values())


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


async def read_model(
    connection: AsyncConnection, read: ReadFilter, periods: Sequence[Period], span: Period,
    now: datetime,
) -> ReadModel:  # fmt: skip
    """What the summaries of ``periods`` need; ``span`` also covers the period before them.

    Counts come from rollups (the provider's or a region's sums when the filter names no sites,
    else per site), never from entity rows: the only rows read are what falls due today and,
    for medians, the completed actions of the whole day that holds the middle values.
    """
    whole = Period("whole", periods[0].first, periods[-1].last)
    tally_cells = await cells(connection, tallies_regions if read.sites is None else tallies,
                              read, span)  # fmt: skip
    if read.sites is not None:  # an alert involving several of the sites counts once
        tally_cells = [c for c in tally_cells if c.metric != ALERTS_RAISED]
        tally_cells += alert_cells(await alert_times(connection, read, span.start, span.end))
    view = CubeView(tally_cells)
    return ReadModel(
        cells=await read_cells(connection, read, span),
        site_incidents=await site_incidents(connection, read, periods),
        tallies=view,
        before_now=await before_now(connection, read, whole, now),
        median_days=await medians.completion_days(connection, read, view, periods),
        owner_median_days=await medians.days_by_owner(connection, read, view, whole),
        sites=await visible_sites(connection, read),
    )


async def read_cells(connection: AsyncConnection, read: ReadFilter, span: Period) -> list[Cell]:
    """The cube's cells of ``span`` summed over the sites the filter may see."""
    return await cells(connection, cube_regions if read.sites is None else cube, read, span)


def rollup_within(table: Table, read: ReadFilter) -> list[ColumnElement[bool]]:
    """Rows of a per-region rollup for the filter: its region, or the provider's sums."""
    return [table.c.provider_id == read.provider_id, table.c.region == (read.region or ALL_REGIONS)]


async def cells(
    connection: AsyncConnection, table: Table, read: ReadFilter, span: Period
) -> list[Cell]:
    """Cells of a cube or tally table (per site, summed; or a rollup's own rows) in ``span``."""
    months = and_(table.c.month >= span.first.label, table.c.month <= span.last.label)
    columns = (table.c.month, table.c.metric, table.c.dimension)
    if table.name in ROLLUP_NAMES:
        query = select(*columns, table.c.count, table.c.total).where(
            *rollup_within(table, read), months
        )
    else:
        query = (
            select(*columns, _sum(table.c.count), _sum(table.c.total))
            .where(*within(table, read), months)
            .group_by(*columns)
        )
    return [Cell._make(row) for row in (await connection.execute(query)).all()]


def _sum(column: Any) -> Any:
    """SUM as a bigint (PostgreSQL sums bigints as numeric)."""
    return cast(func.sum(column), BigInteger)


async def site_incidents(
    connection: AsyncConnection, read: ReadFilter, periods: Sequence[Period]
) -> list[Cell]:
    """Incidents per site in each period (dimension: site id; month: the period's first)."""
    month = cube.c.month
    first = case(*((month <= p.last.label, p.first.label) for p in periods))
    rows = await connection.execute(
        select(first, cube.c.site_id, _sum(cube.c.count))
        .where(*within(cube, read), cube.c.metric == INCIDENTS,
               month >= periods[0].first.label, month <= periods[-1].last.label)
        .group_by(first, cube.c.site_id)
    )  # fmt: skip
    return [Cell(m, INCIDENTS, site, count) for m, site, count in rows.all()]


def alert_cells(times: Sequence[datetime]) -> list[Cell]:
    """Alerts per month, as tally cells."""
    per_month: dict[str, int] = {}
    for at in times:
        per_month[month_of(at)] = per_month.get(month_of(at), 0) + 1
    return [Cell(month, ALERTS_RAISED, "", count) for month, count in per_month.items()]


async def before_now(
    connection: AsyncConnection, read: ReadFilter, whole: Period, now: datetime
) -> BeforeNow:
    """What falls due today (London) before ``now``: unfinished actions, unmet obligations by
    kind, and unfinished actions opened in ``whole`` by owner role."""
    local = now.astimezone(LONDON)
    today = datetime(local.year, local.month, local.day, tzinfo=LONDON).astimezone(UTC)
    due = between(actions.c.due_at, today, now)
    unfinished = await connection.scalar(
        select(func.count()).where(
            *within(actions, read), due,
            not_(and_(actions.c.status.in_(sorted(DONE)), actions.c.completed_at.is_not(None))),
        )
    )  # fmt: skip
    kinds = await connection.execute(
        select(obligations.c.kind, func.count())
        .where(
            *within(obligations, read), between(obligations.c.due_at, today, now),
            obligations.c.met_at.is_(None), obligations.c.flagged_overdue.is_(False),
        )
        .group_by(obligations.c.kind)
    )  # fmt: skip
    role = medians.owner_role()
    owners = await connection.execute(
        select(role, func.count())
        .where(
            *within(actions, read), due, actions.c.status.not_in(sorted(DONE)),
            between(actions.c.opened_at, whole.start, whole.end),
        )
        .group_by(role)
    )  # fmt: skip
    return BeforeNow(
        actions_unfinished=int(unfinished or 0),
        obligations_unmet={kind: int(count) for kind, count in kinds.all()},
        owners_open={name: int(count) for name, count in owners.all()},
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
    seen = await seen_sites(connection, read)
    sizes = await site_sizes(connection)
    return {
        site_id: size
        for site_id, size in sizes.items()
        if (size.provider_id == read.provider_id or (size.provider_id is None and site_id in seen))
        and (read.sites is None or site_id in read.sites)
        and (read.region is None or size.region == read.region)
    }


# Every (region, site) of a provider in the cube, one index probe each (a "loose index scan"
# on the cube's primary key) instead of reading every cell: portable to PostgreSQL and SQLite.
SEEN_SITES = text("""
    WITH RECURSIVE seen(region, site_id) AS (
        SELECT * FROM (
            SELECT region, site_id FROM reporting_cube WHERE provider_id = :provider
            ORDER BY region, site_id LIMIT 1) AS first_site
        UNION ALL
        SELECT
            (SELECT c.region FROM reporting_cube AS c
             WHERE c.provider_id = :provider AND (c.region, c.site_id) > (s.region, s.site_id)
             ORDER BY c.region, c.site_id LIMIT 1),
            (SELECT c.site_id FROM reporting_cube AS c
             WHERE c.provider_id = :provider AND (c.region, c.site_id) > (s.region, s.site_id)
             ORDER BY c.region, c.site_id LIMIT 1)
        FROM seen AS s WHERE s.site_id IS NOT NULL
    )
    SELECT site_id, region FROM seen WHERE site_id IS NOT NULL
""")


async def seen_sites(connection: AsyncConnection, read: ReadFilter) -> dict[str, str]:
    """Sites with any data the filter may see, and their regions."""
    if read.sites is None:
        rows = await connection.execute(SEEN_SITES, {"provider": read.provider_id})
        return {
            site: region for site, region in rows.all()
            if read.region is None or region == read.region
        }  # fmt: skip
    rows = await connection.execute(
        select(cube.c.site_id, cube.c.region).where(*within(cube, read)).distinct()
    )
    return {site: region for site, region in rows.all()}
