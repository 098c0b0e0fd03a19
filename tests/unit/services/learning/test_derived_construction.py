"""Derived events are assembled without validating again what is already valid: each one equals,
and serialises to the same bytes as, the event built through validation from the same values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from learnloop.generator import ScenarioConfig, generate
from services.learning.domain.action_rules import load_action_rules
from services.learning.domain.rulebook import load_rulebook
from services.learning.domain.themes import ThemeMatch
from services.learning.pipeline import FRAMEWORKS, LearningPipeline, validated_envelope
from shared import outbox
from shared.database import create_engine
from shared.events import AnyFactEvent
from shared.events.derived import ThemeLink, ThemeLinked, ThemeMatchRecord
from shared.events.envelope import EventEnvelope
from shared.migrate import upgrade
from shared.settings import DatabaseSettings, KafkaSettings

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def new_pipeline(engine: Any) -> LearningPipeline:
    return LearningPipeline(
        engine=engine, rulebook=load_rulebook(), action_rules=load_action_rules(),
        kafka=KafkaSettings(),
    )  # fmt: skip


async def derived_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, facts: list[AnyFactEvent]
) -> list[EventEnvelope[Any]]:
    """Every derived event the pipeline queues for ``facts``."""
    queued: list[EventEnvelope[Any]] = []
    add = outbox.add

    async def capture(connection: Any, events: Any, settings: Any) -> None:
        queued.extend(events)
        await add(connection, events, settings)

    monkeypatch.setattr(outbox, "add", capture)
    engine = create_engine(DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path}/l.db"))
    try:
        await upgrade(engine, ("shared", "learning"))
        pipeline = new_pipeline(engine)
        for start in range(0, len(facts), 200):
            await pipeline.apply(facts[start : start + 200])
    finally:
        await engine.dispose()
    return queued


def assert_same_as_validated(event: EventEnvelope[Any]) -> None:
    reference = validated_envelope(type(event), dict(event.__dict__))
    assert reference.model_fields_set == event.model_fields_set
    assert {**reference.__dict__, "time": event.time} == event.__dict__
    assert reference.model_copy(update={"time": event.time}) == event
    stamp = reference.time.isoformat().replace("+00:00", "Z").encode()
    assert stamp in reference.to_json_bytes()
    ours = event.time.isoformat().replace("+00:00", "Z").encode()
    assert reference.to_json_bytes().replace(stamp, ours) == event.to_json_bytes()
    assert type(event).from_json_bytes(event.to_json_bytes()) == event
    if isinstance(event.data, ThemeLink):
        data = ThemeLink.model_validate(event.data.model_dump())
        assert data == event.data
        assert data.model_fields_set == event.data.model_fields_set
        assert data.model_dump_json() == event.data.model_dump_json()


async def test_derived_events_equal_the_validated_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = list(generate(ScenarioConfig(seed=5, sites=6, regions=1, months=4)))[:600]
    traced = [
        fact.model_copy(update={"traceparent": TRACEPARENT}) if i % 2 else fact
        for i, fact in enumerate(facts)
    ]
    queued = await derived_events(tmp_path, monkeypatch, traced)
    assert {event.type for event in queued} >= {
        "theme.linked", "obligation.flagged", "action.opened", "action.linked", "alert.raised",
        "obligation.met",
    }  # fmt: skip
    assert any(event.traceparent == TRACEPARENT for event in queued)
    assert any(event.traceparent is None for event in queued)
    for event in queued:
        assert_same_as_validated(event)


def _fact_and_link(traceparent: str) -> tuple[Any, ThemeLink]:
    """A generated fact carrying ``traceparent``, and a theme link of it."""
    fact = next(iter(generate(ScenarioConfig(seed=5, sites=2, regions=1, months=1))))
    fact = fact.model_copy(update={"traceparent": traceparent})
    data = ThemeLink(
        source_event_id=fact.id, source_event_type=fact.type, theme_id="falls",
        matches=[ThemeMatchRecord(rule_id="r", source="text", field="description")],
        quality_statements={},
    )  # fmt: skip
    return fact, data


@pytest.mark.parametrize(
    "traceparent",
    [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # all-zero trace id
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # version ff
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n",
        "not a trace context",
    ],
)
def test_a_trace_context_replaced_by_the_consumer_is_still_validated(traceparent: str) -> None:
    fact, data = _fact_and_link(traceparent)
    engine: Any = None
    with pytest.raises(ValidationError):
        new_pipeline(engine)._envelope(ThemeLinked, fact, "falls", data)


def test_a_valid_replaced_trace_context_is_carried() -> None:
    fact, data = _fact_and_link(TRACEPARENT)
    engine: Any = None
    event = new_pipeline(engine)._envelope(ThemeLinked, fact, "falls", data)
    assert event.traceparent == TRACEPARENT
    assert_same_as_validated(event)


def test_a_theme_link_equals_the_one_validated_from_the_match() -> None:
    """Against the payload as it was built before (validated from the match and the theme)."""
    engine: Any = None
    pipeline = new_pipeline(engine)
    rulebook = load_rulebook()
    fact = next(iter(generate(ScenarioConfig(seed=5, sites=2, regions=1, months=1))))
    theme_id = next(iter(rulebook.themes))
    rule_ids = ["r1", "r2"]
    matches = [
        ThemeMatch(theme_id, rule_ids[0], "text", ("description", "x" * 250, "")),
        ThemeMatch(theme_id, rule_ids[1], "field", ()),
        ThemeMatch(theme_id, rule_ids[0], "text", ("description",)),  # cached record reused
    ]
    for match in matches:
        theme = rulebook.themes[match.theme_id]
        expected = ThemeLink(
            source_event_id=fact.id, source_event_type=fact.type, theme_id=match.theme_id,
            matches=[
                ThemeMatchRecord(
                    rule_id=match.rule_id, source=match.source, field=path[:200] or "(event)"
                )
                for path in (match.field_paths or ("",))
            ],
            quality_statements={
                framework: list(theme.quality_statements.get(framework, ()))
                for framework in FRAMEWORKS
                if framework in theme.quality_statements
            },
        )  # fmt: skip
        event = pipeline._theme_linked(fact, match, rulebook)
        assert event.data == expected
        assert event.data.model_fields_set == expected.model_fields_set
        assert event.data.model_dump_json() == expected.model_dump_json()
        assert_same_as_validated(event)


def test_match_records_kept_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("services.learning.pipeline.MATCH_RECORDS_KEPT", 2)
    engine: Any = None
    pipeline = new_pipeline(engine)
    match = ThemeMatch("falls", "r", "text", ())
    records = [pipeline._match_record(match, f"items[{i}].comment") for i in range(5)]
    assert [record.field for record in records] == [f"items[{i}].comment" for i in range(5)]
    assert len(pipeline._match_records) == 2
