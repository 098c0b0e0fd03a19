"""The sites file: site sizes loaded at start-up into ``reporting_sites``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.reporting.adapters.tables import sites
from services.reporting.domain.sites import SitesFile, SiteSize


class SitesFileError(ValueError):
    """The sites file is missing or invalid."""


def read_sites_file(path: Path) -> list[SiteSize]:
    """Read and validate the sites file; raises SitesFileError saying what is wrong."""
    try:
        return SitesFile.model_validate_json(path.read_text(encoding="utf-8")).root
    except OSError as exc:
        raise SitesFileError(f"cannot read sites file {path}: {exc}") from exc
    except ValueError as exc:
        raise SitesFileError(f"invalid sites file {path}: {exc}") from exc


async def replace_sites(engine: AsyncEngine, entries: list[SiteSize]) -> None:
    """Make ``reporting_sites`` hold exactly ``entries``."""
    async with engine.begin() as connection:
        await connection.execute(delete(sites))
        if entries:
            await connection.execute(sites.insert(), [entry.model_dump() for entry in entries])


async def site_sizes(connection: AsyncConnection) -> dict[str, SiteSize]:
    """Every known site size by site id."""
    rows = (await connection.execute(select(sites))).mappings().all()
    return {row["site_id"]: SiteSize.model_validate(dict(row)) for row in rows}
