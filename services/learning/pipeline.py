"""The learning service layer: apply a batch of facts in one transaction.

For each fact not seen before (idempotency ledger): store it, link its themes, flag its
obligations, open or extend improvement actions, raise cross-site learning alerts, and queue the
derived events in the outbox - all in the transaction that commits before the offsets do.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.learning.adapters.tables import (
    action_links,
    event_themes,
    facts,
    improvement_actions,
    learning_alerts,
    obligations,
)
from services.learning.domain.action_lifecycle import OPEN_STATES
from services.learning.domain.action_rules import ActionRules
from services.learning.domain.actions import (
    ActionDecision,
    SiteHistory,
    decide_actions,
    decide_alert,
    is_negative_feedback,
    is_serious_harm,
)
from services.learning.domain.obligations import obligations_for
from services.learning.domain.rulebook import Rulebook
from services.learning.domain.themes import ThemeMatch, classify
from services.learning.facts import fact_detail, fact_score
from shared import ledger, outbox
from shared.consuming import Incoming
from shared.database import insert_ignoring_duplicates
from shared.events import AnyFactEvent, ComplaintResolved
from shared.events.derived import (
    ActionLinked,
    ActionOpened,
    AlertRaised,
    ImprovementActionChange,
    LearningAlert,
    ObligationFlag,
    ObligationFlagged,
    ObligationMet,
    ObligationOutcome,
    ThemeLink,
    ThemeLinked,
    ThemeMatchRecord,
)
from shared.events.envelope import EventEnvelope
from shared.events.fact_time import fact_time
from shared.logging import get_logger
from shared.settings import KafkaSettings

log = get_logger(__name__)

CONSUMER = "learning"
COMPLAINT_RESPONSE = "complaint_response"  # the obligation kind a complaint.resolved meets
SOURCE = "/learnloop/learning"
DERIVED_NAMESPACE = uuid.UUID("8d3c1f7a-5b2e-4e6d-9a0c-7f4b2e1d3c5a")
FRAMEWORKS = ("saf-2023", "draft-2026")


def derived_id(*parts: str) -> str:
    """Stable ids for derived events: reprocessing a fact yields the same ids."""
    return str(uuid.uuid5(DERIVED_NAMESPACE, "/".join(parts)))


class LearningPipeline:
    """Applies facts to the learning state and queues what it derived."""

    def __init__(
        self,
        *,
        engine: AsyncEngine,
        rulebook: Rulebook,
        action_rules: ActionRules,
        kafka: KafkaSettings,
        provider_rules: Mapping[str, tuple[Rulebook, ActionRules]] | None = None,
    ) -> None:
        self._engine = engine
        self._default = (rulebook, action_rules)
        self._provider_rules = dict(provider_rules or {})
        self._rulebook = rulebook
        self._rules = action_rules
        self._kafka = kafka
        self.applied = 0
        self.skipped = 0

    async def handle(self, batch: Sequence[Incoming]) -> None:
        """Apply a consumed batch (the BatchConsumer's handler)."""
        await self.apply([item.value for item in batch])

    async def apply(self, events: Sequence[AnyFactEvent]) -> int:
        """Apply facts not applied before; returns how many were new."""
        unique = list({event.id: event for event in events}.values())
        async with self._engine.begin() as connection:
            new_ids = await ledger.claim(connection, CONSUMER, (e.id for e in unique))
            fresh = [event for event in unique if event.id in new_ids]
            derived: list[EventEnvelope[Any]] = []
            for event in sorted(fresh, key=fact_time):
                derived.extend(await self._apply_one(connection, event))
            await outbox.add(connection, derived, self._kafka)
        self.applied += len(fresh)
        self.skipped += len(events) - len(fresh)
        log.info(
            "facts applied", applied=len(fresh), duplicates=len(events) - len(fresh),
            derived=len(derived),
        )  # fmt: skip
        return len(fresh)

    async def _apply_one(
        self, connection: AsyncConnection, event: AnyFactEvent
    ) -> list[EventEnvelope[Any]]:
        # Facts are applied one at a time, so the rules of this fact's provider (tailored, or the
        # default) can simply be made current for the methods below.
        self._rulebook, self._rules = self._provider_rules.get(event.providerid, self._default)
        at = fact_time(event)
        negative = is_negative_feedback(event, self._rules)
        await connection.execute(
            facts.insert().values(
                event_id=event.id, event_type=event.type, provider_id=event.providerid,
                site_id=event.siteid, region=event.region, occurred_at=at,
                negative_feedback=negative, detail=fact_detail(event), score=fact_score(event),
                serious_harm=is_serious_harm(event, self._rules),
            )
        )  # fmt: skip
        matches = classify(event, self._rulebook)
        derived: list[EventEnvelope[Any]] = [self._theme_linked(event, m) for m in matches]
        if matches:
            await connection.execute(
                event_themes.insert(),
                [
                    {
                        "event_id": event.id, "theme_id": m.theme_id, "rule_id": m.rule_id,
                        "provider_id": event.providerid, "site_id": event.siteid,
                        "region": event.region, "occurred_at": at,
                    }
                    for m in matches
                ],
            )  # fmt: skip
        derived.extend(await self._flag_obligations(connection, event))
        if isinstance(event, ComplaintResolved):
            derived.extend(await self._close_complaint_response(connection, event))
        themes = [m.theme_id for m in matches]
        history = await self._site_history(connection, event, themes, at)
        for decision in decide_actions(event, themes, history, self._rules, now=at):
            derived.append(await self._apply_action(connection, event, decision, at))
        for theme in themes:
            alert = await self._maybe_alert(connection, event, theme, at)
            if alert is not None:
                derived.append(alert)
        return derived

    def _envelope(
        self, cls: type[EventEnvelope[Any]], event: AnyFactEvent, key: str, data: Any
    ) -> EventEnvelope[Any]:
        event_type = str(cls.model_fields["type"].default)
        return cls(
            id=derived_id(event.id, event_type, key),
            type=event_type,
            source=SOURCE,
            subject=f"events/{event.id}",
            providerid=event.providerid,
            siteid=event.siteid,
            region=event.region,
            correlationid=event.correlationid or event.id,
            data=data,
        )

    def _theme_linked(self, event: AnyFactEvent, match: ThemeMatch) -> EventEnvelope[Any]:
        theme = self._rulebook.themes[match.theme_id]
        statements = {
            framework: list(theme.quality_statements.get(framework, ()))
            for framework in FRAMEWORKS
            if framework in theme.quality_statements
        }
        records = [
            ThemeMatchRecord(
                rule_id=match.rule_id, source=match.source, field=path[:200] or "(event)"
            )
            for path in (match.field_paths or ("",))
        ]
        data = ThemeLink(
            source_event_id=event.id, source_event_type=event.type, theme_id=match.theme_id,
            matches=records, quality_statements=statements,
        )  # fmt: skip
        return self._envelope(ThemeLinked, event, match.theme_id, data)

    async def _flag_obligations(
        self, connection: AsyncConnection, event: AnyFactEvent
    ) -> list[EventEnvelope[Any]]:
        found = obligations_for(event, self._rulebook)
        derived: list[EventEnvelope[Any]] = []
        for obligation in found:
            obligation_id = f"obl-{derived_id(event.id, obligation.kind)}"
            reasons = [f"{fact.path} = {fact.value}"[:200] for fact in obligation.reasons] or [
                f"every {event.type} event"
            ]
            await connection.execute(
                obligations.insert().values(
                    obligation_id=obligation_id, kind=obligation.kind, title=obligation.title,
                    statutory=obligation.statutory.value, due_at=obligation.due_at,
                    event_id=event.id, provider_id=event.providerid, site_id=event.siteid,
                    region=event.region, state="open",
                )
            )  # fmt: skip
            data = ObligationFlag(
                obligation_id=obligation_id, kind=obligation.kind,
                status=obligation.statutory.value, due_at=obligation.due_at,
                source_event_id=event.id, reasons=reasons,
            )  # fmt: skip
            derived.append(self._envelope(ObligationFlagged, event, obligation.kind, data))
        return derived

    async def _close_complaint_response(
        self, connection: AsyncConnection, event: ComplaintResolved
    ) -> list[EventEnvelope[Any]]:
        """The response to a complaint meets its response obligation (on time or late)."""
        rows = (
            await connection.execute(
                select(obligations).where(
                    obligations.c.event_id == event.data.complaint_event_id,
                    obligations.c.kind == COMPLAINT_RESPONSE,
                    obligations.c.state != "met",
                    obligations.c.provider_id == event.providerid,
                )
            )
        ).all()
        met_at = event.data.responded_at
        derived: list[EventEnvelope[Any]] = []
        for row in rows:
            due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
            await connection.execute(
                update(obligations)
                .where(obligations.c.obligation_id == row.obligation_id)
                .values(state="met", met_at=met_at)
            )
            data = ObligationOutcome(
                obligation_id=row.obligation_id, kind=row.kind, due_at=due,
                source_event_id=row.event_id, met_at=met_at, on_time=met_at <= due,
            )  # fmt: skip
            derived.append(self._envelope(ObligationMet, event, row.obligation_id, data))
        return derived

    async def _site_history(
        self, connection: AsyncConnection, event: AnyFactEvent, themes: list[str], at: datetime
    ) -> SiteHistory:
        counts: dict[str, int] = {}
        if themes:
            since = at - timedelta(days=self._rules.theme_recurrence.window_days)
            rows = await connection.execute(
                select(event_themes.c.theme_id, func.count())
                .where(
                    event_themes.c.site_id == event.siteid,
                    event_themes.c.theme_id.in_(themes),
                    event_themes.c.occurred_at > since,
                    event_themes.c.occurred_at <= at,
                )
                .group_by(event_themes.c.theme_id)
            )
            counts = {theme: int(count) for theme, count in rows.all()}
        open_rows = await connection.execute(
            select(improvement_actions.c.action_key, improvement_actions.c.action_id).where(
                improvement_actions.c.site_id == event.siteid,
                improvement_actions.c.state.in_([s.value for s in OPEN_STATES]),
            )
        )
        negative = 0
        if is_negative_feedback(event, self._rules):
            since = at - timedelta(days=self._rules.negative_feedback.window_days)
            negative = int(
                await connection.scalar(
                    select(func.count()).where(
                        facts.c.site_id == event.siteid,
                        facts.c.negative_feedback.is_(True),
                        facts.c.occurred_at > since,
                        facts.c.occurred_at <= at,
                    )
                )
                or 0
            )
        return SiteHistory(
            theme_counts=counts,
            open_actions={key: action_id for key, action_id in open_rows.all()},
            negative_feedback=negative,
        )

    async def _apply_action(
        self, connection: AsyncConnection, event: AnyFactEvent, decision: ActionDecision,
        at: datetime,
    ) -> EventEnvelope[Any]:  # fmt: skip
        linked = [event.id]
        if decision.verb == "open" and decision.theme_id is not None:
            # A recurrence action starts with every fact of the window that made it recur.
            since = at - timedelta(days=self._rules.theme_recurrence.window_days)
            earlier = await connection.execute(
                select(event_themes.c.event_id).where(
                    event_themes.c.site_id == event.siteid,
                    event_themes.c.theme_id == decision.theme_id,
                    event_themes.c.occurred_at > since,
                    event_themes.c.occurred_at <= at,
                )
            )
            linked = sorted(set(earlier.scalars().all()) | {event.id})
        if decision.verb == "open":
            await connection.execute(
                improvement_actions.insert().values(
                    action_id=decision.action_id, action_key=decision.action_key,
                    provider_id=event.providerid, site_id=event.siteid, region=event.region,
                    rule_id=decision.rule_id, title=decision.title, theme_id=decision.theme_id,
                    state="open", opened_at=at, due_at=decision.due_at, source_event_id=event.id,
                    linked_events=len(linked), escalated_overdue=False,
                )
            )  # fmt: skip
        else:
            await connection.execute(
                update(improvement_actions)
                .where(improvement_actions.c.action_id == decision.action_id)
                .values(linked_events=improvement_actions.c.linked_events + 1)
            )
        await connection.execute(
            insert_ignoring_duplicates(action_links, connection.dialect.name),
            [{"action_id": decision.action_id, "event_id": event_id} for event_id in linked],
        )
        data = ImprovementActionChange(
            action_id=decision.action_id, rule_id=decision.rule_id, title=decision.title,
            theme_id=decision.theme_id, source_event_id=event.id, due_at=decision.due_at,
        )  # fmt: skip
        cls = ActionOpened if decision.verb == "open" else ActionLinked
        return self._envelope(cls, event, decision.action_key, data)

    async def _maybe_alert(
        self, connection: AsyncConnection, event: AnyFactEvent, theme: str, at: datetime
    ) -> EventEnvelope[Any] | None:
        since = at - timedelta(days=self._rules.alerts.window_days)
        # Cheap check first: most of the time the region was alerted on this theme recently.
        alerted = await connection.scalar(
            select(func.count()).where(
                learning_alerts.c.region == event.region,
                learning_alerts.c.provider_id == event.providerid,
                learning_alerts.c.theme_id == theme,
                learning_alerts.c.raised_for > since,
            )
        )
        if alerted:
            return None
        in_window = and_(
            event_themes.c.region == event.region,
            event_themes.c.provider_id == event.providerid,
            event_themes.c.theme_id == theme,
            event_themes.c.occurred_at > since,
            event_themes.c.occurred_at <= at,
        )
        rows = await connection.execute(
            select(event_themes.c.site_id, func.count())
            .where(in_window)
            .group_by(event_themes.c.site_id)
        )
        sites = {site: int(count) for site, count in rows.all()}
        decision = decide_alert(
            theme_id=theme, region=event.region, sites_in_window=sites,
            already_alerted=set(), rules=self._rules, event_id=event.id,
        )  # fmt: skip
        if decision is None:
            return None
        await connection.execute(
            learning_alerts.insert().values(
                alert_id=decision.alert_id, provider_id=event.providerid, region=event.region,
                theme_id=theme, raised_for=at, site_ids=list(decision.site_ids),
                event_count=decision.event_count,
            )
        )  # fmt: skip
        linked = await connection.execute(
            select(event_themes.c.event_id)
            .where(in_window)
            .order_by(event_themes.c.occurred_at.desc())
            .limit(500)
        )
        data = LearningAlert(
            alert_id=decision.alert_id, theme_id=theme, site_ids=list(decision.site_ids),
            event_count=decision.event_count, window_days=self._rules.alerts.window_days,
            event_ids=list(linked.scalars().all()),
        )  # fmt: skip
        return self._envelope(AlertRaised, event, f"alert/{theme}", data)
