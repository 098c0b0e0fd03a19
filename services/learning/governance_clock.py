"""The governance clock: periodically flags overdue obligations, escalates overdue actions and
reviews completed actions for effect (publishing verdicts, lessons and reporters' outcomes)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from opentelemetry.trace import Span, StatusCode
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.learning.actions_service import envelope_for
from services.learning.adapters.tables import (
    action_links,
    event_themes,
    facts,
    improvement_actions,
    obligations,
)
from services.learning.domain.action_lifecycle import (
    OPEN_STATES,
    Verdict,
    judge_by_audit,
    judge_by_recurrence,
)
from services.learning.domain.action_rules import ActionRules
from shared import outbox, tracing
from shared.events.derived import (
    ActionEscalated,
    ActionEscalation,
    ActionReviewed,
    ActionStatus,
    EffectivenessReview,
    Lesson,
    LessonShared,
    ObligationOutcome,
    ObligationOverdue,
    OutcomePublished,
    ReporterOutcome,
)
from shared.logging import get_logger
from shared.settings import KafkaSettings

log = get_logger(__name__)

TICK_SPAN = "governance clock tick"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@contextlib.contextmanager
def _tick_span() -> Iterator[Span | None]:
    """The current span of one tick, when tracing is on."""
    tracer = tracing.tracer()
    if tracer is None:
        yield None
        return
    # The error's type only: a database error's message can hold SQL parameters.
    with tracer.start_as_current_span(
        TICK_SPAN, record_exception=False, set_status_on_exception=False
    ) as span:
        try:
            yield span
        except Exception as exc:
            span.set_status(StatusCode.ERROR, type(exc).__name__)
            raise


class GovernanceClock:
    """Runs the time-driven rules; ``tick(now)`` is one pass (tests call it directly)."""

    def __init__(self, engine: AsyncEngine, rules: ActionRules, kafka: KafkaSettings) -> None:
        self._engine = engine
        self._rules = rules
        self._kafka = kafka

    async def run(self, on_change: Any = None) -> None:
        """Tick every ``overdue_check_seconds`` until cancelled."""
        while True:
            try:
                changed = await self.tick(datetime.now(UTC))
                if changed and on_change is not None:
                    on_change()
            except Exception as exc:
                log.warning("governance clock tick failed", error=type(exc).__name__)
            await asyncio.sleep(self._rules.overdue_check_seconds)

    async def tick(self, now: datetime) -> int:
        """Apply every time-driven rule as of ``now``; returns how many events it queued.

        With tracing on, a tick is a span (under the request that ran it, if any) and the events
        it queues carry its context, so an escalation can be followed into reporting."""
        with _tick_span() as span:
            async with self._engine.begin() as connection:
                events = [
                    *await self._overdue_obligations(connection, now),
                    *await self._overdue_actions(connection, now),
                    *await self._reviews(connection, now),
                ]
                await outbox.add(connection, events, self._kafka)
            if span is not None:
                span.set_attribute("learnloop.events_queued", len(events))
        if events:
            kinds = Counter(str(event.type) for event in events)
            log.info("governance clock queued events", events_queued=len(events), types=dict(kinds))
        return len(events)

    async def _overdue_obligations(self, connection: AsyncConnection, now: datetime) -> list[Any]:
        rows = (
            await connection.execute(
                select(obligations).where(obligations.c.state == "open", obligations.c.due_at < now)
            )
        ).all()
        if not rows:
            return []
        await connection.execute(
            update(obligations)
            .where(obligations.c.obligation_id.in_([r.obligation_id for r in rows]))
            .values(state="overdue")
        )
        return [
            envelope_for(
                row, ObligationOverdue, f"overdue-{row.obligation_id}",
                ObligationOutcome(
                    obligation_id=row.obligation_id, kind=row.kind, due_at=_aware(row.due_at),
                    source_event_id=row.event_id,
                ),
            )
            for row in rows
        ]  # fmt: skip

    async def _overdue_actions(self, connection: AsyncConnection, now: datetime) -> list[Any]:
        rows = (
            await connection.execute(
                select(improvement_actions).where(
                    improvement_actions.c.state.in_([s.value for s in OPEN_STATES]),
                    improvement_actions.c.due_at < now,
                    improvement_actions.c.escalated_overdue.is_(False),
                )
            )
        ).all()
        if not rows:
            return []
        await connection.execute(
            update(improvement_actions)
            .where(improvement_actions.c.action_id.in_([r.action_id for r in rows]))
            .values(escalated_overdue=True)
        )
        return [
            envelope_for(
                row, ActionEscalated, f"esc-overdue-{row.action_id}",
                ActionEscalation(
                    action_id=row.action_id, reason="overdue", due_at=_aware(row.due_at),
                    escalated_at=now,
                ),
            )
            for row in rows
        ]  # fmt: skip

    async def _reviews(self, connection: AsyncConnection, now: datetime) -> list[Any]:
        window = timedelta(days=self._rules.effectiveness.window_days)
        rows = (
            await connection.execute(
                select(improvement_actions).where(
                    improvement_actions.c.state == ActionStatus.COMPLETED.value,
                    improvement_actions.c.completed_at <= now - window,
                )
            )
        ).all()
        events: list[Any] = []
        for row in rows:
            verdict = await self._verdict(connection, row, window)
            if verdict is not None:
                events.extend(await self._record_verdict(connection, row, verdict, now))
        return events

    async def _verdict(
        self, connection: AsyncConnection, row: Any, window: timedelta
    ) -> Verdict | None:
        done = _aware(row.completed_at)
        rule = self._rules.effectiveness
        if row.action_key.startswith("audit:"):
            scores = await connection.execute(
                select(facts.c.score).where(
                    facts.c.site_id == row.site_id,
                    facts.c.detail == row.action_key.removeprefix("audit:"),
                    facts.c.occurred_at > done,
                    facts.c.score.is_not(None),
                )
            )
            return judge_by_audit([float(s) for s in scores.scalars().all()], rule)
        if row.theme_id is not None:
            source = event_themes
            condition = event_themes.c.theme_id == row.theme_id
        elif row.action_key == "feedback:negative":
            source, condition = facts, facts.c.negative_feedback.is_(True)
        else:  # harm:<event>: serious-harm incidents at the site
            source, condition = facts, facts.c.serious_harm.is_(True)

        async def count(start: datetime, end: datetime) -> int:
            query = select(func.count()).select_from(source).where(
                source.c.site_id == row.site_id, condition,
                source.c.occurred_at >= start, source.c.occurred_at < end,
            )  # fmt: skip
            return int(await connection.scalar(query) or 0)

        return judge_by_recurrence(
            await count(done - window, done), await count(done, done + window), rule
        )

    async def _record_verdict(
        self, connection: AsyncConnection, row: Any, verdict: Verdict, now: datetime
    ) -> list[Any]:
        # Not effective: the action is open again (work resumes) and escalated.
        status = (
            ActionStatus.VERIFIED_EFFECTIVE if verdict.effective else ActionStatus.NOT_EFFECTIVE
        )
        await connection.execute(
            update(improvement_actions)
            .where(improvement_actions.c.action_id == row.action_id)
            .values(state=status.value, reviewed_at=now)
        )
        label = "verified_effective" if verdict.effective else "not_effective"
        review = EffectivenessReview(
            action_id=row.action_id, verdict=label, theme_id=row.theme_id,
            window_days=self._rules.effectiveness.window_days,
            events_before=verdict.events_before, events_after=verdict.events_after,
            reviewed_at=now,
        )  # fmt: skip
        stamp = f"{row.action_id}-{_aware(row.completed_at).timestamp():.0f}"
        events: list[Any] = [envelope_for(row, ActionReviewed, f"rev-{stamp}", review)]
        if not verdict.effective:
            escalation = ActionEscalation(
                action_id=row.action_id, reason="not_effective", escalated_at=now
            )
            events.append(envelope_for(row, ActionEscalated, f"esc-ne-{stamp}", escalation))
            return events
        lesson = Lesson(
            lesson_id=f"lesson-{stamp}", action_id=row.action_id, theme_id=row.theme_id,
            what_happened=f"{row.linked_events} linked event(s) at {row.site_id}: {row.title}",
            what_we_did=row.title,
            evidence_of_effect=(
                f"{verdict.events_before} event(s) in the {review.window_days} days before "
                f"completion, {verdict.events_after} in the {review.window_days} days after"
            ),
        )  # fmt: skip
        events.append(envelope_for(row, LessonShared, f"lesson-{stamp}", lesson))
        linked = await connection.execute(
            select(action_links.c.event_id).where(action_links.c.action_id == row.action_id)
        )
        for event_id in linked.scalars().all():
            outcome = ReporterOutcome(
                source_event_id=event_id, action_id=row.action_id, action_title=row.title,
                status=ActionStatus.VERIFIED_EFFECTIVE,
            )  # fmt: skip
            events.append(envelope_for(row, OutcomePublished, f"out-{stamp}-{event_id}", outcome))
        return events
