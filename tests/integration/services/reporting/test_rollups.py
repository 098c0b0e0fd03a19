"""The rollups the projection maintains equal a recount from the rows, and the governance
figures read from them equal those counted from the rows - on both databases.

A random stream (generated facts; theme links, actions, obligations, alerts, lessons and
outcomes about them) is projected in random batches, derived events often before their facts
and action updates in any order, so placements are settled and tallies moved along the way.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from learnloop.generator import ScenarioConfig, generate
from learnloop.infra import postgres
from services.reporting.adapters.reader import alert_times, read_model, within
from services.reporting.adapters.records import to_record
from services.reporting.adapters.rollups import refresh_rollups
from services.reporting.adapters.rows import aware
from services.reporting.adapters.tables import (
    actions,
    cube_regions,
    lessons,
    obligations,
    tallies,
    tallies_regions,
)
from services.reporting.domain.access import ReadFilter
from services.reporting.domain.actions import ActionRecord, accountability, actions_in_period
from services.reporting.domain.obligations import ObligationRecord, tally
from services.reporting.domain.periods import Granularity, Period, previous_period, resolve_range
from services.reporting.domain.summary import SummaryRules, accountability_of, summarise
from services.reporting.projection import Projection, ReportedEvent
from shared.database import create_engine
from shared.events import AnyFactEvent
from shared.events.derived import (
    ActionChangeKind,
    ActionEscalated,
    ActionEscalation,
    ActionLinked,
    ActionOpened,
    ActionReviewed,
    ActionStatus,
    ActionUpdate,
    ActionUpdated,
    AlertRaised,
    EffectivenessReview,
    ImprovementActionChange,
    LearningAlert,
    Lesson,
    LessonShared,
    ObligationFlag,
    ObligationFlagged,
    ObligationMet,
    ObligationOutcome,
    ObligationOverdue,
    OutcomePublished,
    ReporterOutcome,
    ThemeLink,
    ThemeLinked,
    ThemeMatchRecord,
)
from shared.events.fact_time import fact_time
from shared.migrate import upgrade
from shared.settings import DatabaseSettings
from tests.integration.services.reporting.conftest import Loaded

pytestmark = [pytest.mark.postgres]
PROVIDER = "rollup-care"
ROLES = ["registered_manager", "deputy_manager", None]
KINDS = ["cqc_notification", "duty_of_candour"]


def envelope(cls: Any, fact: AnyFactEvent, data: Any, at: datetime, n: int) -> ReportedEvent:
    event: ReportedEvent = cls(
        id=f"d-{n}", source="/test", subject=f"events/{fact.id}", providerid=fact.providerid,
        siteid=fact.siteid, region=fact.region, time=at, data=data,
    )  # fmt: skip
    return event


def derived_about(rng: random.Random, facts: list[AnyFactEvent]) -> list[ReportedEvent]:
    """Random derived events about the facts, as learning and managers would publish."""
    found: list[ReportedEvent] = []
    counter = iter(range(1_000_000))
    for fact in facts:
        at = fact_time(fact)
        match = [ThemeMatchRecord(rule_id="r", source="field", field="category")]
        for theme in rng.sample(["falls", "medication", "staffing"], rng.randrange(3)):
            link = ThemeLink(source_event_id=fact.id, source_event_type=fact.type,
                             theme_id=theme, matches=match)  # fmt: skip
            found.append(envelope(ThemeLinked, fact, link, at + timedelta(hours=1), next(counter)))
        if rng.random() < 0.3:
            found += action_life(rng, fact, at, counter)
        if rng.random() < 0.2:
            found += obligation_life(rng, fact, at, counter)
        if rng.random() < 0.05:
            alert = LearningAlert(alert_id=f"al-{fact.id}", theme_id="falls",
                                  site_ids=sorted({fact.siteid, "site-001", "site-002"}),
                                  event_count=3, window_days=30)  # fmt: skip
            found.append(envelope(AlertRaised, fact, alert, at + timedelta(days=2), next(counter)))
    return found


def action_life(
    rng: random.Random, fact: AnyFactEvent, at: datetime, counter: Any
) -> list[ReportedEvent]:
    action_id = f"a-{fact.id}"
    due = at + timedelta(days=rng.randrange(-2, 40), hours=rng.randrange(24))
    change = ImprovementActionChange(
        action_id=action_id, rule_id="r", title="Act", theme_id="falls",
        source_event_id=fact.id, due_at=due,
    )  # fmt: skip
    events = [envelope(ActionOpened, fact, change, at + timedelta(minutes=5), next(counter))]
    if rng.random() < 0.3:
        events.append(envelope(ActionLinked, fact, change, at + timedelta(days=1), next(counter)))
    when = at
    for status in rng.sample(list(ActionStatus), rng.randrange(3)):
        when += timedelta(days=rng.randrange(1, 30), seconds=rng.randrange(86_400))
        kind = ActionChangeKind.COMPLETED if status is ActionStatus.COMPLETED else (
            ActionChangeKind.ASSIGNED)  # fmt: skip
        update = ActionUpdate(action_id=action_id, change=kind, status=status, at=when,
                              owner_role=rng.choice(ROLES))  # fmt: skip
        events.append(envelope(ActionUpdated, fact, update, when, next(counter)))
    if rng.random() < 0.3:
        review = EffectivenessReview(
            action_id=action_id, verdict=rng.choice(["verified_effective", "not_effective"]),
            window_days=30, events_before=3, events_after=1, reviewed_at=when + timedelta(days=30),
        )  # fmt: skip
        events.append(envelope(ActionReviewed, fact, review, review.reviewed_at, next(counter)))
        lesson = Lesson(lesson_id=f"l-{action_id}", action_id=action_id, what_happened="x",
                        what_we_did="y", evidence_of_effect="z")  # fmt: skip
        events.append(envelope(LessonShared, fact, lesson, review.reviewed_at, next(counter)))
        outcome = ReporterOutcome(source_event_id=fact.id, action_id=action_id,
                                  action_title="Act", status=ActionStatus.COMPLETED)  # fmt: skip
        events.append(envelope(OutcomePublished, fact, outcome, when, next(counter)))
    if rng.random() < 0.2:
        escalation = ActionEscalation(action_id=action_id, reason="overdue",
                                      escalated_at=due + timedelta(days=1))  # fmt: skip
        events.append(envelope(ActionEscalated, fact, escalation, due, next(counter)))
    return events


def obligation_life(
    rng: random.Random, fact: AnyFactEvent, at: datetime, counter: Any
) -> list[ReportedEvent]:
    kind = rng.choice(KINDS)
    due = at + timedelta(days=rng.randrange(0, 20), hours=rng.randrange(24))
    ob_id = f"o-{fact.id}"
    flag = ObligationFlag(obligation_id=ob_id, kind=kind, status="statutory", due_at=due,
                          source_event_id=fact.id, reasons=["harm"])  # fmt: skip
    events = [envelope(ObligationFlagged, fact, flag, at, next(counter))]
    outcome = ObligationOutcome(obligation_id=ob_id, kind=kind, due_at=due,
                                source_event_id=fact.id)  # fmt: skip
    if rng.random() < 0.5:
        met = outcome.model_copy(update={"met_at": due + timedelta(days=rng.randrange(-3, 3))})
        events.append(envelope(ObligationMet, fact, met, due, next(counter)))
    if rng.random() < 0.3:
        events.append(envelope(ObligationOverdue, fact, outcome, due, next(counter)))
    return events


def stream(seed: int) -> list[list[ReportedEvent]]:
    """Facts and derived events shuffled into batches (derived often first)."""
    rng = random.Random(seed)
    config = ScenarioConfig(seed=seed, sites=6, regions=2, months=5, provider_id=PROVIDER)
    facts = list(generate(config))
    events: list[ReportedEvent] = [*facts, *derived_about(rng, facts)]
    rng.shuffle(events)
    batches, start = [], 0
    while start < len(events):
        size = rng.randrange(1, 400)
        batches.append(events[start : start + size])
        start += size
    return batches


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def projected(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[AsyncEngine]:
    """The random stream projected into a fresh database."""
    async with fresh_database(request, tmp_path_factory) as url:
        engine = create_engine(DatabaseSettings(url=url))
        await upgrade(engine, ("shared", "reporting"))
        projection = Projection(engine)
        for batch in stream(seed=3):
            await projection.apply(batch)
        yield engine
        await engine.dispose()


@asynccontextmanager
async def fresh_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('rollups') / 'reporting.db'}"
        return
    server: postgres.PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(server.url("learnloop_test").replace("+asyncpg", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server.url(name)
        await postgres.drop_database(admin, name)
    finally:
        await admin.close()


async def rollup_rows(connection: AsyncConnection) -> dict[str, set[tuple[Any, ...]]]:
    found = {}
    for table in (cube_regions, tallies, tallies_regions):
        found[table.name] = {tuple(row) for row in (await connection.execute(select(table)))}
    derived = select(actions.c.action_id, actions.c.completion_us, actions.c.completion_day)
    found["actions"] = {tuple(row) for row in await connection.execute(derived)}
    return found


async def test_maintained_rollups_equal_a_recount(projected: AsyncEngine) -> None:
    async with projected.connect() as connection:
        maintained = await rollup_rows(connection)
        await connection.run_sync(refresh_rollups)
        recounted = await rollup_rows(connection)
        await connection.rollback()  # leave the maintained rollups for the other tests
    assert len(maintained["reporting_tallies"]) > 100
    assert maintained == recounted


async def raw_figures(
    connection: AsyncConnection, read: ReadFilter, periods: list[Period], now: datetime
) -> dict[str, Any]:
    """The governance figures counted from the rows, as before the rollups existed."""
    rows = await connection.execute(select(actions).where(*within(actions, read)))
    action_rows = [to_record(ActionRecord, row) for row in rows.mappings().all()]
    rows = await connection.execute(select(obligations).where(*within(obligations, read)))
    obligation_rows = [to_record(ObligationRecord, row) for row in rows.mappings().all()]
    first, last = periods[0].start, periods[-1].end
    raised = await alert_times(connection, read, first - timedelta(days=400), last)
    shared = [aware(at) for (at,) in await connection.execute(
        select(lessons.c.shared_at).where(*within(lessons, read)))]  # fmt: skip
    whole = Period("whole", periods[0].first, periods[-1].last)
    return {
        "actions": [actions_in_period(action_rows, p, now) for p in periods],
        "obligations": [tally(obligation_rows, p, now) for p in periods],
        "alerts": [sum(1 for at in raised if p.contains(at)) for p in periods],
        "lessons": [sum(1 for at in shared if p.contains(at)) for p in periods],
        "owners": accountability([a for a in action_rows if whole.contains(a.opened_at)], now),
    }


FILTERS = [
    ReadFilter(PROVIDER, None),
    ReadFilter(PROVIDER, None, region="region-north"),
    ReadFilter(PROVIDER, frozenset({"site-001"})),
    ReadFilter(PROVIDER, frozenset({"site-001", "site-002", "site-005"})),
]
NOWS = [datetime(2025, 3, 14, 10, 30, tzinfo=UTC), datetime(2025, 6, 1, 0, 30, tzinfo=UTC),
        datetime(2026, 1, 1, tzinfo=UTC)]  # fmt: skip


@pytest.mark.parametrize("granularity", list(Granularity))
async def test_figures_from_rollups_equal_figures_from_rows(
    projected: AsyncEngine, granularity: Granularity
) -> None:
    checked = 0
    async with projected.connect() as connection:
        for read in FILTERS:
            for now in NOWS:
                periods = resolve_range("2024-12", "2025-07", granularity, now.date())
                before = previous_period(periods[0], granularity)
                span = Period("span", before.first, periods[-1].last)
                model = await read_model(connection, read, periods, span, now)
                rules = SummaryRules(granularity=granularity, now=now, titles={},
                                     obligation_kinds=[])  # fmt: skip
                summaries = summarise(model, periods, rules)
                whole = Period("whole", periods[0].first, periods[-1].last)
                expected = await raw_figures(connection, read, periods, now)
                assert [s.actions for s in summaries] == expected["actions"], (read, now)
                assert [{o.kind: o for o in s.obligations} for s in summaries] == expected[
                    "obligations"
                ], (read, now)
                assert [s.alerts_raised for s in summaries] == expected["alerts"], (read, now)
                assert [s.lessons_shared for s in summaries] == expected["lessons"], (read, now)
                assert accountability_of(model, whole, now) == expected["owners"], (read, now)
                checked += sum(s.actions.opened + s.actions.completed for s in summaries)
    assert checked > 50  # the stream put actions in these periods


@pytest.mark.kafka
async def test_rollups_of_the_served_fixture_equal_a_recount(loaded: Loaded) -> None:
    async with loaded.served.runtime.engine.connect() as connection:
        maintained = await rollup_rows(connection)
        await connection.run_sync(refresh_rollups)
        recounted = await rollup_rows(connection)
        await connection.rollback()
    assert maintained == recounted
