"""Governance query latency over a national provider: 500 sites in 10 regions, 3 years of data.

Loading: one month of a 100-site provider is generated, derived by the learning pipeline and
projected by the real reporting projection into a fresh PostgreSQL database: that is the
template, shaped exactly like what the projection writes. PostgreSQL then copies it in bulk
(``INSERT ... SELECT`` over the template, no Python per row) onto 5 blocks of 100 sites x 36
months, with new ids and times shifted by whole months, until the read models hold the rows of
``scale`` million events (1x: 1 million, 10x: 10 million). Rollups are refreshed from the
loaded rows and the tables analysed. The idempotency ledger (one row per event) is not
loaded: no query reads it.

Timing: the reporting app in-process (httpx ASGITransport, the real routes, key check and JSON),
GET /v1/governance/summary for the provider, a region and a site, by month (12 months),
quarter (4 quarters) and year (3 years), each compared with the period before as the API does;
plus a site scorecard and the provider's theme trends by quarter. p50/p95 per case.

    python -m benchmarks.governance_query [--scale N] [--quick] [--requests N]

``run(scale, quick)`` is what the benchmark runner calls; it creates and drops its own
PostgreSQL database and creates no Kafka topics.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import asyncpg
import httpx

from benchmarks.reporting_projection import derive, later_events, scratch_postgres
from learnloop.generator import ScenarioConfig, generate, provider_for
from services.intake.adapters.key_store import KeyStore, provision_admin_key
from services.learning.domain.rulebook import load_rulebook
from services.reporting.adapters.rollups import refresh_rollups
from services.reporting.app import create_app
from services.reporting.projection import Projection
from services.reporting.runtime import ReportingRuntime
from services.reporting.settings import ReportingOptions, ReportingSettings
from shared.database import create_engine
from shared.garbage_collection import settle_garbage_collector
from shared.migrate import upgrade
from shared.settings import DatabaseSettings

RESULTS = Path(__file__).with_name("results")
PROVIDER = "national-care"
TEMPLATE_SITES = 100
SITE_BLOCKS = 5  # 5 x 100 template sites: 500 sites, in the template's 10 regions
MONTHS = 36  # 2023-01 .. 2025-12
TEMPLATE_TO_FIRST = -24  # the template month (2025-01) is 24 months after the first (2023-01)
NOW = datetime(2025, 12, 20, 12, 0, tzinfo=UTC)
EVENTS_PER_SCALE = 1_000_000
TABLES = ("facts", "cube", "theme_links", "actions", "obligations", "alerts", "alert_sites",
          "lessons")  # fmt: skip


# --- loading ------------------------------------------------------------------------------


async def project_template(url: str, folder: Path) -> int:
    """One month of a 100-site provider, projected for real; returns the events projected."""
    config = ScenarioConfig(seed=8, sites=TEMPLATE_SITES, regions=10, months=1)
    chunks = await derive(list(generate(config)), folder)
    stream = [event for chunk in chunks for event in chunk]
    stream += later_events(stream)
    engine = create_engine(DatabaseSettings(url=url))
    try:
        await upgrade(engine, ("shared", "reporting"))
        projection = Projection(engine)
        for start in range(0, len(stream), 1000):
            await projection.apply(stream[start : start + 1000])
        return projection.projected
    finally:
        await engine.dispose()


def shifted(column: str) -> str:
    return f"{column} + make_interval(months => c.shift)"


def london_month(moment: str) -> str:
    return f"to_char(({moment}) AT TIME ZONE 'Europe/London', 'YYYY-MM')"


EXPANSIONS = {
    "facts": f"""
        INSERT INTO reporting_facts
        SELECT t.event_id || '~' || c.k, t.event_type, $1, t.region, m.new_site,
               {shifted("t.occurred_at")}, {london_month(shifted("t.occurred_at"))}, t.detail,
               t.physical_harm, t.score_ppm
        FROM template_facts t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
    "cube": """
        INSERT INTO reporting_cube
        SELECT $1, t.region, m.new_site,
               to_char(to_date(t.month || '-01', 'YYYY-MM-DD') + make_interval(months => c.shift),
                       'YYYY-MM'),
               t.metric, t.dimension, sum(t.count), sum(t.total)
        FROM template_cube t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block
        GROUP BY 1, 2, 3, 4, 5, 6""",
    "theme_links": f"""
        INSERT INTO reporting_theme_links
        SELECT t.source_event_id || '~' || c.k, t.theme_id, t.event_type, $1, t.region,
               m.new_site, {shifted("t.occurred_at")}, {london_month(shifted("t.occurred_at"))},
               t.settled
        FROM template_theme_links t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
    "actions": f"""
        INSERT INTO reporting_actions
        SELECT t.action_id || '~' || c.k, $1, t.region, m.new_site, t.title, t.rule_id,
               t.theme_id, t.status, {shifted("t.status_at")}, {shifted("t.opened_at")},
               t.opened_settled, t.source_event_id || '~' || c.k, {shifted("t.due_at")},
               {shifted("t.completed_at")}, t.verdict, {shifted("t.reviewed_at")}, t.owner_role,
               {shifted("t.owner_at")}, t.linked_events, t.escalations,
               {shifted("t.escalated_at")}, d.us, floor(d.us / 86400000000.0)::int
        FROM template_actions t JOIN copies c ON true
        CROSS JOIN LATERAL (SELECT (extract(epoch FROM {shifted("t.completed_at")}
                                            - {shifted("t.opened_at")}) * 1000000)::bigint AS us
                           ) AS d
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
    "obligations": f"""
        INSERT INTO reporting_obligations
        SELECT t.obligation_id || '~' || c.k, $1, t.region, m.new_site, t.kind,
               {shifted("t.due_at")}, t.statutory, t.source_event_id || '~' || c.k,
               {shifted("t.met_at")}, t.on_time, t.flagged_overdue
        FROM template_obligations t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
    "alerts": f"""
        INSERT INTO reporting_alerts
        SELECT t.alert_id || '~' || c.k, $1, t.region, m.new_site, t.theme_id,
               (SELECT json_agg(s.new_site ORDER BY s.new_site)
                FROM json_array_elements_text(t.site_ids) AS e(site)
                JOIN site_map s ON s.site = e.site AND s.block = c.block),
               t.event_count, t.window_days, {shifted("t.raised_at")}, t.settled,
               t.source_event_id || '~' || c.k
        FROM template_alerts t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
    "alert_sites": """
        INSERT INTO reporting_alert_sites
        SELECT t.alert_id || '~' || c.k, m.new_site
        FROM template_alert_sites t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
    "lessons": f"""
        INSERT INTO reporting_lessons
        SELECT t.lesson_id || '~' || c.k, t.action_id || '~' || c.k, t.theme_id, $1, t.region,
               m.new_site, {shifted("t.shared_at")}, t.what_happened, t.evidence_of_effect
        FROM template_lessons t JOIN copies c ON true
        JOIN site_map m ON m.site = t.site_id AND m.block = c.block""",
}


def copy_plan(copies: int) -> list[tuple[int, int, int]]:
    """(copy, site block, month shift) for each copy: every block and month before repeats."""
    plan = []
    for k in range(copies):
        block, slot = k % SITE_BLOCKS, k // SITE_BLOCKS
        month = (slot * 7) % MONTHS  # 7 is coprime to 36: months spread evenly, none twice early
        plan.append((k, block, month + TEMPLATE_TO_FIRST))
    return plan


def site_map() -> list[tuple[str, int, str]]:
    """(template site, block, new site) for 500 sites."""
    return [
        (f"site-{n:03d}", block, f"site-{block * TEMPLATE_SITES + n:03d}")
        for block in range(SITE_BLOCKS)
        for n in range(1, TEMPLATE_SITES + 1)
    ]


async def expand(dsn: str, copies: int) -> dict[str, int]:
    """Replace the template rows by ``copies`` copies of them; returns rows per table."""
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            for table in TABLES:
                await connection.execute(
                    f"CREATE TEMP TABLE template_{table} AS SELECT * FROM reporting_{table};"
                    f"TRUNCATE reporting_{table}"
                )
            await connection.execute("CREATE TEMP TABLE copies (k int, block int, shift int)")
            await connection.copy_records_to_table("copies", records=copy_plan(copies))
            await connection.execute(
                "CREATE TEMP TABLE site_map (site text, block int, new_site text)"
            )
            await connection.copy_records_to_table("site_map", records=site_map())
            await connection.execute("ANALYZE copies; ANALYZE site_map")
            for table in TABLES:
                sql = EXPANSIONS[table]
                await connection.execute(sql, *([PROVIDER] if "$1" in sql else []))
        return {
            table: int(await connection.fetchval(f"SELECT count(*) FROM reporting_{table}"))
            for table in TABLES
        }
    finally:
        await connection.close()


async def load_sites(dsn: str) -> None:
    """Sizes for the 500 sites (from the template provider's), for incident rates."""
    provider = provider_for(ScenarioConfig(seed=8, sites=TEMPLATE_SITES, regions=10, months=1))
    by_id = {site.site_id: site for site in provider.sites}
    rows = []
    for template, _block, new_site in site_map():
        site = by_id[template]
        rows.append((new_site, PROVIDER, site.region_id, site.kind.value, site.beds or None,
                     site.occupied_beds or None, site.care_hours_per_month or None))  # fmt: skip
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("DELETE FROM reporting_sites")
        await connection.copy_records_to_table("reporting_sites", records=rows)
    finally:
        await connection.close()


@dataclass(frozen=True)
class Loaded:
    """What the database holds."""

    events: int
    template_events: int
    copies: int
    rows: dict[str, int]
    seconds: float


async def load(url: str, scale: int, folder: Path) -> Loaded:
    """Fill the reporting tables with ``scale`` million events' worth of rows."""
    started = time.perf_counter()
    template_events = await project_template(url, folder)
    copies = -(-scale * EVENTS_PER_SCALE // template_events)
    dsn = url.replace("+asyncpg", "")
    rows = await expand(dsn, copies)
    await load_sites(dsn)
    engine = create_engine(DatabaseSettings(url=url))
    try:
        async with engine.begin() as connection:
            rows |= await connection.run_sync(refresh_rollups)
    finally:
        await engine.dispose()
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute("VACUUM ANALYZE")  # as autovacuum would, soon after a load
    finally:
        await connection.close()
    return Loaded(copies * template_events, template_events, copies, rows,
                  round(time.perf_counter() - started, 1))  # fmt: skip


# --- timing -------------------------------------------------------------------------------


async def api_key(folder: Path) -> tuple[str, str]:
    """An intake key database with a provider-wide governance key; its URL and the key."""
    url = f"sqlite+aiosqlite:///{folder / 'intake.db'}"
    return url, await provision_admin_key(url, name="governance", provider_id=PROVIDER)


@dataclass(frozen=True)
class Case:
    """One kind of request."""

    name: str
    path: str
    params: dict[str, str]


def cases(regions: list[str], sites: list[str], rng: random.Random) -> list[Case]:
    """Summary per scope and granularity, a scorecard and theme trends."""
    found: list[Case] = []
    for granularity in ("month", "quarter", "year"):
        found.append(Case(f"summary provider {granularity}", "/v1/governance/summary",
                          {"granularity": granularity}))  # fmt: skip
        found.append(Case(f"summary region {granularity}", "/v1/governance/summary",
                          {"granularity": granularity, "region": rng.choice(regions)}))  # fmt: skip
        found.append(Case(f"summary site {granularity}", "/v1/governance/summary",
                          {"granularity": granularity, "site": rng.choice(sites)}))  # fmt: skip
    found.append(Case("themes/trends provider quarter", "/v1/themes/trends",
                      {"granularity": "quarter"}))  # fmt: skip
    found.append(Case("scorecard site quarter", f"/v1/sites/{rng.choice(sites)}/scorecard",
                      {"granularity": "quarter"}))  # fmt: skip
    return found


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


async def time_cases(
    url: str, keys_url: str, key: str, requests: int, budget_s: float
) -> dict[str, dict[str, Any]]:
    """p50/p95 per case (after one warm-up request), each case at most ``budget_s`` long."""
    settings = ReportingSettings(
        database=DatabaseSettings(url=url),
        reporting=ReportingOptions(keys_database_url=keys_url, key_cache_seconds=3600),
    )
    app = create_app(settings, clock=lambda: NOW)
    engine = create_engine(settings.database)
    keys_engine = create_engine(DatabaseSettings(url=keys_url))
    # The routes need the engine, keys, rulebook and clock; no consumer runs here.
    app.state.runtime = ReportingRuntime(
        settings=settings, engine=engine, keys=KeyStore(keys_engine, cache_seconds=3600),
        rulebook=load_rulebook(), consumer=cast(Any, None), projection=cast(Any, None),
        probe=cast(Any, None), group_id="benchmark", clock=lambda: NOW,
    )  # fmt: skip
    async with engine.connect() as connection:
        regions = sorted((await connection.exec_driver_sql(
            "SELECT DISTINCT region FROM reporting_sites")).scalars().all())  # fmt: skip
    sites = [new_site for _, _, new_site in site_map()]
    results: dict[str, dict[str, Any]] = {}
    thresholds = gc.get_threshold()
    settle_garbage_collector()  # as `learnloop reporting serve` does before serving
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:
            for case in cases(regions, sites, random.Random(5)):
                headers = {"X-API-Key": key}
                warm = await client.get(case.path, params=case.params, headers=headers)
                assert warm.status_code == 200, warm.text
                timings: list[float] = []
                started = time.perf_counter()
                while len(timings) < requests and (
                    len(timings) < 3 or time.perf_counter() - started < budget_s
                ):
                    sent = time.perf_counter()
                    response = await client.get(case.path, params=case.params, headers=headers)
                    timings.append((time.perf_counter() - sent) * 1000)
                    assert response.status_code == 200, response.text
                results[case.name] = {
                    "requests": len(timings), "p50_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(percentile(timings, 0.95), 1),
                    "max_ms": round(max(timings), 1), "response_kb": len(warm.content) // 1024,
                }  # fmt: skip
    finally:
        gc.unfreeze()  # the benchmark runner goes on in this process
        gc.set_threshold(*thresholds)
        await engine.dispose()
        await keys_engine.dispose()
    return results


async def run(scale: int = 1, quick: bool = False, *, requests: int = 0) -> dict[str, object]:
    """Load ``scale`` million events' worth of read models, then time the governance API."""
    requests = requests or (5 if quick else 30)
    results: dict[str, object] = {"scale": scale, "quick": quick, "now": NOW.isoformat()}
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        async with scratch_postgres("governance") as url:
            loaded = await load(url, scale, folder)
            results["loaded"] = loaded.__dict__
            keys_url, key = await api_key(folder)
            results["requests"] = await time_cases(
                url, keys_url, key, requests, budget_s=20 if quick else 120
            )
    timings = cast(dict[str, dict[str, Any]], results["requests"])
    results["worst_p95_ms"] = max(case["p95_ms"] for case in timings.values())
    return results


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="millions of events (default 10)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--requests", type=int, default=0, help="per case (default 30, quick 5)")
    args = parser.parse_args()
    results = await run(args.scale, args.quick, requests=args.requests)
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip
    RESULTS.mkdir(exist_ok=True)
    name = f"governance_query{'_quick' if args.quick else ''}_x{args.scale}.json"
    (RESULTS / name).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
