"""What the learning service derived from the fixture's facts (hand-built, June-stamped)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from shared.events.derived import DERIVED_EVENT_TYPES, DerivedEvent
from tests.integration.services.reporting.fixture import DERIVED_TIME, at, place

Make = Callable[..., DerivedEvent]
LINKS = [  # (fact, type, site, theme)
    ("I1", "incident.reported", "rosewood-house", "falls"),
    ("I2", "incident.reported", "rosewood-house", "falls"),
    ("I3", "incident.reported", "rosewood-house", "falls"),
    ("I4", "incident.reported", "rosewood-house", "medication"),
    ("I5", "incident.reported", "elm-court", "falls"),
    ("I6", "incident.reported", "oak-lodge", "pressure_damage"),
    ("I7", "incident.reported", "pine-view", "falls"),
    ("C1", "complaint.received", "rosewood-house", "communication"),
    ("A1", "audit.completed", "rosewood-house", "medication"),
    ("F2", "feedback.received", "rosewood-house", "communication"),
]
OBLIGATIONS = [  # (id, kind, fact, site, due, met, on_time)
    ("OB1", "duty_of_candour", "I3", "rosewood-house", "2025-03-26T10:00", "2025-03-20T10:00",
     True),
    ("OB2", "cqc_notification", "I6", "oak-lodge", "2025-03-16T10:00", "2025-03-18T10:00", False),
    ("OB3", "safeguarding_referral", "I6", "oak-lodge", "2025-03-16T10:00", None, None),
    ("OB4", "complaint_acknowledgement", "C1", "rosewood-house", "2025-03-06T09:00",
     "2025-03-04T09:00", None),  # on time, worked out from the dates
    ("OB5", "complaint_response", "C1", "rosewood-house", "2025-04-01T09:00", None, None),
    ("OB6", "complaint_acknowledgement", "C2", "elm-court", "2025-03-28T12:00",
     "2025-03-27T12:00", True),
    ("OB7", "complaint_response", "C2", "elm-court", "2025-08-20T12:00", None, None),
]  # fmt: skip


def make_derived(
    event_type: str, event_id: str, site: str, source: str, data: dict[str, Any],
    time: datetime = DERIVED_TIME,
) -> DerivedEvent:  # fmt: skip
    """A derived event about fact ``source`` (subject ``events/<source>``)."""
    return DERIVED_EVENT_TYPES[event_type].model_validate(
        {"id": event_id, "type": event_type, "source": "/learnloop/learning", "time": time,
         "subject": f"events/{source}", **place(site), "data": data}
    )  # fmt: skip


def _action(make: Make, kind: str, event_id: str, site: str, source: str, **data: Any
            ) -> DerivedEvent:  # fmt: skip
    return make(f"action.{kind}", event_id, site, source, data)


def derived() -> list[DerivedEvent]:
    """Every derived event of the fixture, in an order the learning service could emit."""
    make: Make = make_derived
    events = [
        make("theme.linked", f"T-{fact}-{theme}", site, fact,
             {"source_event_id": fact, "source_event_type": kind, "theme_id": theme,
              "matches": [{"rule_id": "test", "source": "field", "field": "data.category"}]})
        for fact, kind, site, theme in LINKS
    ]  # fmt: skip
    for oid, kind, fact, site, due, met, on_time in OBLIGATIONS:
        base = {"obligation_id": oid, "kind": kind, "due_at": at(due), "source_event_id": fact}
        events.append(make("obligation.flagged", f"{oid}-flag", site, fact,
                           {**base, "status": "statutory", "reasons": ["test"]}))  # fmt: skip
        if met is not None:
            outcome = {**base, "met_at": at(met), "on_time": on_time}
            events.append(make("obligation.met", f"{oid}-met", site, fact, outcome))
    events.append(make("obligation.overdue", "OB3-overdue", "oak-lodge", "I6",
                       {"obligation_id": "OB3", "kind": "safeguarding_referral",
                        "due_at": at("2025-03-16T10:00"), "source_event_id": "I6"}))  # fmt: skip
    opened = {"rule_id": "test-rule", "title": "Reduce falls at night"}
    events += [
        _action(make, "opened", "ACT1-open", "rosewood-house", "I3", action_id="ACT1",
                theme_id="falls", source_event_id="I3", due_at=at("2025-04-09T10:00"), **opened),
        _action(make, "linked", "ACT1-link", "rosewood-house", "I2", action_id="ACT1",
                theme_id="falls", source_event_id="I2", **opened),
        _action(make, "updated", "ACT1-assign", "rosewood-house", "I3", action_id="ACT1",
                change="assigned", status="in_progress", at=at("2025-03-13T09:00"),
                owner_role="registered_manager"),
        _action(make, "updated", "ACT1-done", "rosewood-house", "I3", action_id="ACT1",
                change="completed", status="completed", at=at("2025-03-30T10:00")),
        _action(make, "reviewed", "ACT1-review", "rosewood-house", "I3", action_id="ACT1",
                verdict="verified_effective", theme_id="falls", window_days=30,
                events_before=3, events_after=0, reviewed_at=at("2025-04-20T10:00")),
        _action(make, "opened", "ACT2-open", "oak-lodge", "I6", action_id="ACT2",
                rule_id="test-rule", title="Pressure care", theme_id="pressure_damage",
                source_event_id="I6", due_at=at("2025-04-12T10:00")),
        _action(make, "updated", "ACT2-assign", "oak-lodge", "I6", action_id="ACT2",
                change="assigned", status="in_progress", at=at("2025-03-16T10:00"),
                owner_role="clinical_lead"),
        _action(make, "escalated", "ACT2-escalate", "oak-lodge", "I6", action_id="ACT2",
                reason="overdue", due_at=at("2025-04-12T10:00"),
                escalated_at=at("2025-04-13T10:00")),
        _action(make, "opened", "ACT3-open", "rosewood-house", "A1", action_id="ACT3",
                rule_id="test-rule", title="MAR chart checks", theme_id="medication",
                source_event_id="A1", due_at=at("2025-04-28T16:00")),
        _action(make, "updated", "ACT3-done", "rosewood-house", "A1", action_id="ACT3",
                change="completed", status="completed", at=at("2025-04-10T16:00")),
    ]  # fmt: skip
    events.append(make("alert.raised", "AL1-raise", "elm-court", "I5",
                       {"alert_id": "AL1", "theme_id": "falls",
                        "site_ids": ["rosewood-house", "elm-court"], "event_count": 4,
                        "window_days": 30}))  # fmt: skip
    events.append(make("lesson.shared", "L1-share", "rosewood-house", "I3",
                       {"lesson_id": "L1", "action_id": "ACT1", "theme_id": "falls",
                        "what_happened": "Night falls", "what_we_did": "Sensor mats",
                        "evidence_of_effect": "No falls for 30 days"},
                       at("2025-04-21T10:00")))  # fmt: skip
    events.append(make("outcome.published", "OUT1", "rosewood-house", "I3",
                       {"source_event_id": "I3", "action_id": "ACT1",
                        "action_title": "Reduce falls at night", "status": "verified_effective"},
                       at("2025-04-22T10:00")))  # fmt: skip
    return events
