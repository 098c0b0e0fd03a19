"""The learning service layer: apply a batch of facts in one transaction.

For each fact not seen before (idempotency ledger): store it, link its themes, flag its
obligations, open or extend improvement actions, raise cross-site learning alerts, and queue the
derived events in the outbox - all in the transaction that commits before the offsets do.

A batch is applied in three steps, so its cost is a handful of queries rather than several per
fact: classify every fact (pure rules), read the history the batch can need in one go
(:mod:`services.learning.adapters.history`), then decide fact by fact in time order in memory,
collecting the rows to write (:mod:`services.learning.adapters.changes`), written at the end.
The result is the same as applying the facts one at a time in that order.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from services.learning.adapters.changes import BatchChanges, NewAlert, confirm_alerts
from services.learning.adapters.history import (
    BatchHistory,
    HistoryRequest,
    OpenObligation,
    load_history,
)
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
from services.learning.domain.timeline import Moments, Timeline
from services.learning.facts import fact_detail, fact_score
from shared import ledger, outbox
from shared.consuming import Incoming
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
    assemble,
)
from shared.events.envelope import TRACEPARENT_PATTERN, EventEnvelope, _valid_traceparent
from shared.events.fact_time import fact_time
from shared.events.types import utc_now
from shared.logging import get_logger
from shared.settings import KafkaSettings

log = get_logger(__name__)

CONSUMER = "learning"
COMPLAINT_RESPONSE = "complaint_response"  # the obligation kind a complaint.resolved meets
SOURCE = "/learnloop/learning"
DERIVED_NAMESPACE = uuid.UUID("8d3c1f7a-5b2e-4e6d-9a0c-7f4b2e1d3c5a")
FRAMEWORKS = ("saf-2023", "draft-2026")
MATCH_RECORDS_KEPT = 20_000  # distinct (rule, source, field path) records kept validated


def derived_id(*parts: str) -> str:
    """Stable ids for derived events: reprocessing a fact yields the same ids.

    The name-based UUID (version 5) of the parts in :data:`DERIVED_NAMESPACE`, as
    ``str(uuid.uuid5(DERIVED_NAMESPACE, "/".join(parts)))`` gives, worked out without building
    a ``uuid.UUID`` (a few microseconds a derived event).
    """
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + "/".join(parts).encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    hex_ = digest.hex()
    return f"{hex_[:8]}-{hex_[8:12]}-{hex_[12:16]}-{hex_[16:20]}-{hex_[20:]}"


_NAMESPACE_BYTES = DERIVED_NAMESPACE.bytes


@dataclass(frozen=True)
class _Planned:
    """A fact with its provider's rules and what the pure rules found in it."""

    event: AnyFactEvent
    at: datetime
    rulebook: Rulebook
    rules: ActionRules
    matches: list[ThemeMatch]
    negative: bool

    @property
    def themes(self) -> list[str]:
        return [match.theme_id for match in self.matches]


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
        self._kafka = kafka
        self.applied = 0
        self.skipped = 0
        # Validated pieces of theme.linked payloads, by what they depend on (see _theme_linked).
        self._theme_parts: dict[tuple[int, str], ThemeLink] = {}
        self._match_records: dict[tuple[str, str, str], ThemeMatchRecord] = {}

    async def handle(self, batch: Sequence[Incoming]) -> None:
        """Apply a consumed batch (the BatchConsumer's handler). With tracing on, what a fact
        derives carries the consumer's span for that fact as its trace context."""
        await self.apply(
            [
                item.value
                if item.traceparent == item.value.traceparent
                else item.value.model_copy(update={"traceparent": item.traceparent})
                for item in batch
            ]
        )

    async def apply(self, events: Sequence[AnyFactEvent]) -> int:
        """Apply facts not applied before; returns how many were new."""
        unique = list({event.id: event for event in events}.values())
        async with self._engine.begin() as connection:
            new_ids = await ledger.claim(connection, CONSUMER, (e.id for e in unique))
            fresh = sorted((e for e in unique if e.id in new_ids), key=fact_time)
            planned = [self._plan(event) for event in fresh]
            derived: list[EventEnvelope[Any]] = []
            if planned:
                history = await load_history(connection, _request(planned))
                changes = BatchChanges()
                for fact in planned:
                    derived.extend(self._apply_one(fact, history, changes))
                dropped = await confirm_alerts(connection, changes)
                derived = [event for event in derived if event.id not in dropped]
                await changes.write(connection)
                await outbox.add(connection, derived, self._kafka)
        self.applied += len(fresh)
        self.skipped += len(events) - len(fresh)
        log.info(
            "facts applied", applied=len(fresh), duplicates=len(events) - len(fresh),
            derived=len(derived),
        )  # fmt: skip
        return len(fresh)

    def _plan(self, event: AnyFactEvent) -> _Planned:
        rulebook, rules = self._provider_rules.get(event.providerid, self._default)
        return _Planned(
            event=event, at=fact_time(event), rulebook=rulebook, rules=rules,
            matches=classify(event, rulebook), negative=is_negative_feedback(event, rules),
        )  # fmt: skip

    def _apply_one(
        self, fact: _Planned, history: BatchHistory, changes: BatchChanges
    ) -> list[EventEnvelope[Any]]:
        event, at, rules = fact.event, fact.at, fact.rules
        changes.facts.append(
            {
                "event_id": event.id, "event_type": event.type, "provider_id": event.providerid,
                "site_id": event.siteid, "region": event.region, "occurred_at": at,
                "negative_feedback": fact.negative, "detail": fact_detail(event),
                "score": fact_score(event), "serious_harm": is_serious_harm(event, rules),
            }
        )  # fmt: skip
        if fact.negative:
            history.negative_feedback.setdefault(event.siteid, Timeline()).add(
                at, event.id, event.siteid
            )
        derived: list[EventEnvelope[Any]] = []
        for match in fact.matches:
            changes.event_themes.append(
                {
                    "event_id": event.id, "theme_id": match.theme_id, "rule_id": match.rule_id,
                    "provider_id": event.providerid, "site_id": event.siteid,
                    "region": event.region, "occurred_at": at,
                }
            )  # fmt: skip
            history.site_theme(event.siteid, match.theme_id).add(at, event.id, event.siteid)
            region_key = (event.providerid, event.region, match.theme_id)
            history.region_theme(region_key).add(at, event.id, event.siteid)
            derived.append(self._theme_linked(event, match, fact.rulebook))
        derived.extend(self._flag_obligations(event, fact.rulebook, changes))
        if isinstance(event, ComplaintResolved):
            derived.extend(self._close_complaint_response(event, history, changes))
        site_history = self._site_history(fact, history)
        for decision in decide_actions(event, fact.themes, site_history, rules, now=at):
            derived.append(self._apply_action(fact, decision, history, changes))
        for theme in fact.themes:
            alert = self._maybe_alert(fact, theme, history, changes)
            if alert is not None:
                derived.append(alert)
        return derived

    def _envelope(
        self, cls: type[EventEnvelope[Any]], event: AnyFactEvent, key: str, data: Any
    ) -> EventEnvelope[Any]:
        """The derived event ``cls`` about ``event``.

        Every attribute comes from the validated fact (its id, place, correlation id and trace
        context), from :func:`derived_id` or is a constant, so the envelope is assembled without
        validating it again (~10 us a derived event); only a trace context that the consumer
        replaced is checked, and one that is not valid goes through validation (which refuses
        it, as before). ``data`` is the validated payload.
        """
        event_type = _event_type(cls)
        traceparent = event.traceparent
        values = {
            "specversion": "1.0", "id": derived_id(event.id, event_type, key),
            "source": SOURCE, "type": event_type, "time": utc_now(),
            "subject": f"events/{event.id}", "datacontenttype": "application/json",
            "dataschema": None, "providerid": event.providerid, "siteid": event.siteid,
            "region": event.region, "schemaversion": _schema_version(cls),
            "correlationid": event.correlationid or event.id, "traceparent": traceparent,
            "data": data,
        }  # fmt: skip
        if traceparent is not None and not _trace_context_valid(traceparent):
            return validated_envelope(cls, values)
        return assemble(cls, values, set(_ENVELOPE_SET))

    def _theme_linked(
        self, event: AnyFactEvent, match: ThemeMatch, rulebook: Rulebook
    ) -> EventEnvelope[Any]:
        """The ``theme.linked`` event of ``match``.

        Its payload is assembled from pieces validated once: the theme's id and quality
        statements (per rulebook and theme) and each match record (per rule, source and field),
        with the fact's id and type, already valid as they are. It equals the payload validated
        from the same values (test).
        """
        part = self._theme_part(match.theme_id, rulebook)
        records = [self._match_record(match, path) for path in (match.field_paths or ("",))]
        statements = {framework: list(ids) for framework, ids in part.quality_statements.items()}
        values = {
            "source_event_id": event.id, "source_event_type": event.type,
            "theme_id": part.theme_id, "matches": records, "quality_statements": statements,
        }  # fmt: skip
        data = assemble(ThemeLink, values, set(_THEME_LINK_SET))
        return self._envelope(ThemeLinked, event, match.theme_id, data)

    def _theme_part(self, theme_id: str, rulebook: Rulebook) -> ThemeLink:
        """A payload validated with the theme's id and quality statements (source placeholder)."""
        key = (id(rulebook), theme_id)  # the pipeline holds its rulebooks: ids stay theirs
        part = self._theme_parts.get(key)
        if part is None:
            theme = rulebook.themes[theme_id]
            statements = {
                framework: list(theme.quality_statements.get(framework, ()))
                for framework in FRAMEWORKS
                if framework in theme.quality_statements
            }
            part = ThemeLink(
                source_event_id="x", source_event_type="x", theme_id=theme_id,
                matches=[ThemeMatchRecord(rule_id="x", source="field", field="x")],
                quality_statements=statements,
            )  # fmt: skip
            self._theme_parts[key] = part
        return part

    def _match_record(self, match: ThemeMatch, path: str) -> ThemeMatchRecord:
        """The validated record of ``match`` at ``path`` (frozen, so shared between events)."""
        key = (match.rule_id, match.source, path)
        record = self._match_records.get(key)
        if record is None:
            record = ThemeMatchRecord(
                rule_id=match.rule_id, source=match.source, field=path[:200] or "(event)"
            )
            if len(self._match_records) < MATCH_RECORDS_KEPT:
                self._match_records[key] = record
        return record

    def _flag_obligations(
        self, event: AnyFactEvent, rulebook: Rulebook, changes: BatchChanges
    ) -> list[EventEnvelope[Any]]:
        derived: list[EventEnvelope[Any]] = []
        for obligation in obligations_for(event, rulebook):
            obligation_id = f"obl-{derived_id(event.id, obligation.kind)}"
            reasons = [f"{fact.path} = {fact.value}"[:200] for fact in obligation.reasons] or [
                f"every {event.type} event"
            ]
            changes.new_obligations[obligation_id] = {
                "obligation_id": obligation_id, "kind": obligation.kind,
                "title": obligation.title, "statutory": obligation.statutory.value,
                "due_at": obligation.due_at, "event_id": event.id,
                "provider_id": event.providerid, "site_id": event.siteid,
                "region": event.region, "state": "open", "met_at": None,
            }  # fmt: skip
            data = ObligationFlag(
                obligation_id=obligation_id, kind=obligation.kind,
                status=obligation.statutory.value, due_at=obligation.due_at,
                source_event_id=event.id, reasons=reasons,
            )  # fmt: skip
            derived.append(self._envelope(ObligationFlagged, event, obligation.kind, data))
        return derived

    def _close_complaint_response(
        self, event: ComplaintResolved, history: BatchHistory, changes: BatchChanges
    ) -> list[EventEnvelope[Any]]:
        """The response to a complaint meets its response obligation (on time or late)."""
        complaint = event.data.complaint_event_id
        stored = history.complaint_responses.get(complaint, [])
        created = [
            OpenObligation(row["obligation_id"], row["kind"], row["event_id"],
                           row["provider_id"], row["due_at"])
            for row in changes.new_obligations.values()
            if row["event_id"] == complaint and row["state"] != "met"
        ]  # fmt: skip
        met_at = event.data.responded_at
        derived: list[EventEnvelope[Any]] = []
        for row in [*stored, *created]:
            if row.kind != COMPLAINT_RESPONSE or row.provider_id != event.providerid:
                continue
            if row.obligation_id in changes.met_obligations:
                continue
            changes.meet_obligation(row.obligation_id, met_at)
            data = ObligationOutcome(
                obligation_id=row.obligation_id, kind=row.kind, due_at=row.due_at,
                source_event_id=row.event_id, met_at=met_at, on_time=met_at <= row.due_at,
            )  # fmt: skip
            derived.append(self._envelope(ObligationMet, event, row.obligation_id, data))
        return derived

    def _site_history(self, fact: _Planned, history: BatchHistory) -> SiteHistory:
        event, at, rules = fact.event, fact.at, fact.rules
        since = at - timedelta(days=rules.theme_recurrence.window_days)
        counts = {
            theme: history.site_theme(event.siteid, theme).count(since, at) for theme in fact.themes
        }
        negative = 0
        if fact.negative:
            since = at - timedelta(days=rules.negative_feedback.window_days)
            negative = history.negative_feedback[event.siteid].count(since, at)
        return SiteHistory(
            theme_counts=counts,
            open_actions=dict(history.open_actions.get(event.siteid, {})),
            negative_feedback=negative,
        )

    def _apply_action(
        self, fact: _Planned, decision: ActionDecision, history: BatchHistory,
        changes: BatchChanges,
    ) -> EventEnvelope[Any]:  # fmt: skip
        event, at = fact.event, fact.at
        linked = [event.id]
        opened = decision.verb == "open"
        if opened and decision.theme_id is not None:
            # A recurrence action starts with every fact of the window that made it recur.
            since = at - timedelta(days=fact.rules.theme_recurrence.window_days)
            earlier = history.site_theme(event.siteid, decision.theme_id).event_ids(since, at)
            linked = sorted(set(earlier) | {event.id})
        if opened:
            changes.new_actions[decision.action_id] = {
                "action_id": decision.action_id, "action_key": decision.action_key,
                "provider_id": event.providerid, "site_id": event.siteid, "region": event.region,
                "rule_id": decision.rule_id, "title": decision.title,
                "theme_id": decision.theme_id, "state": "open", "opened_at": at,
                "due_at": decision.due_at, "source_event_id": event.id,
                "linked_events": len(linked), "escalated_overdue": False,
            }  # fmt: skip
            history.open_actions.setdefault(event.siteid, {})[decision.action_key] = (
                decision.action_id
            )
        changes.link_action(decision.action_id, linked, opened=opened)
        data = ImprovementActionChange(
            action_id=decision.action_id, rule_id=decision.rule_id, title=decision.title,
            theme_id=decision.theme_id, source_event_id=event.id, due_at=decision.due_at,
        )  # fmt: skip
        cls = ActionOpened if opened else ActionLinked
        return self._envelope(cls, event, decision.action_key, data)

    def _maybe_alert(
        self, fact: _Planned, theme: str, history: BatchHistory, changes: BatchChanges
    ) -> EventEnvelope[Any] | None:
        event, at, rules = fact.event, fact.at, fact.rules
        since = at - timedelta(days=rules.alerts.window_days)
        key = (event.providerid, event.region, theme)
        raised = history.alerts.get(key)
        if raised is not None and raised.any_after(since):
            return None  # the region was alerted on this theme recently
        timeline = history.region_theme(key)
        decision = decide_alert(
            theme_id=theme, region=event.region, sites_in_window=timeline.per_site(since, at),
            already_alerted=set(), rules=rules, event_id=event.id,
        )  # fmt: skip
        if decision is None:
            return None
        history.alerts.setdefault(key, Moments()).add(at)
        data = LearningAlert(
            alert_id=decision.alert_id, theme_id=theme, site_ids=list(decision.site_ids),
            event_count=decision.event_count, window_days=rules.alerts.window_days,
            event_ids=list(reversed(timeline.event_ids(since, at)))[:500],
        )  # fmt: skip
        envelope = self._envelope(AlertRaised, event, f"alert/{theme}", data)
        row = {
            "alert_id": decision.alert_id, "provider_id": event.providerid,
            "region": event.region, "theme_id": theme, "raised_for": at,
            "site_ids": list(decision.site_ids), "event_count": decision.event_count,
        }  # fmt: skip
        changes.alerts.append(NewAlert(row=row, since=since, derived_id=envelope.id))
        return envelope


@cache
def _event_type(cls: type[EventEnvelope[Any]]) -> str:
    """The ``type`` a derived event class publishes, e.g. ``theme.linked``."""
    return str(cls.model_fields["type"].default)


@cache
def _schema_version(cls: type[EventEnvelope[Any]]) -> int:
    """The ``schemaversion`` of a derived event class's data contract."""
    return int(cls.model_fields["schemaversion"].default)


_ENVELOPE_SET = frozenset(
    ("id", "type", "source", "subject", "providerid", "siteid", "region", "correlationid",
     "traceparent", "data")
)  # fmt: skip
"""The attributes a derived envelope is given (the others are defaults)."""

_THEME_LINK_SET = frozenset(ThemeLink.model_fields)
"""A theme.linked payload is given every field."""

_TRACEPARENT = re.compile(TRACEPARENT_PATTERN)


def _trace_context_valid(traceparent: str) -> bool:
    """Whether the envelope's validation would accept ``traceparent`` as it is."""
    if _TRACEPARENT.fullmatch(traceparent) is None:
        return False
    try:
        _valid_traceparent(traceparent)
    except ValueError:
        return False
    return True


def validated_envelope(cls: type[EventEnvelope[Any]], values: dict[str, Any]) -> EventEnvelope[Any]:
    """The envelope of ``values`` (as :meth:`LearningPipeline._envelope` assembles them) built
    through validation (with a ``time`` of its own): the reference the assembled one equals."""
    return cls(**{name: values[name] for name in _ENVELOPE_SET})


def _request(planned: Sequence[_Planned]) -> HistoryRequest:
    """The keys and time span a batch will ask about."""
    region_themes: dict[tuple[str, str, str], int] = {}
    for fact in planned:
        for theme in fact.themes:
            key = (fact.event.providerid, fact.event.region, theme)
            region_themes[key] = max(region_themes.get(key, 0), fact.rules.alerts.window_days)
    return HistoryRequest(
        site_themes={(f.event.siteid, theme) for f in planned for theme in f.themes},
        negative_sites={f.event.siteid for f in planned if f.negative},
        sites={f.event.siteid for f in planned},
        region_themes=region_themes,
        complaints={
            f.event.data.complaint_event_id
            for f in planned
            if isinstance(f.event, ComplaintResolved)
        },
        earliest=min(f.at for f in planned),
        latest=max(f.at for f in planned),
        recurrence_days=max(f.rules.theme_recurrence.window_days for f in planned),
        feedback_days=max(f.rules.negative_feedback.window_days for f in planned),
    )
