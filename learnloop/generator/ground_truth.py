"""What the generated data contains, counted while it is generated.

Downstream services can be checked against it: counts per type, site, month, category and
harm; which incidents a correct system flags for CQC notification, duty of candour and
safeguarding; complaint outcomes; failed audit items; texts planted to test redaction.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from learnloop.generator.calibration import NOTIFICATION_POLICY_HOURS
from learnloop.generator.events import TruthNote
from shared.events import (
    AnyFactEvent,
    AuditCompleted,
    ComplaintReceived,
    FeedbackReceived,
    Incident,
    IncidentReported,
    PhysicalHarm,
    PsychologicalHarm,
)

MODERATE_OR_WORSE_PHYSICAL = frozenset(
    {PhysicalHarm.MODERATE, PhysicalHarm.SEVERE, PhysicalHarm.FATAL}
)
MODERATE_OR_WORSE_PSYCHOLOGICAL = frozenset({PsychologicalHarm.MODERATE, PsychologicalHarm.SEVERE})


def cqc_notification_reasons(incident: Incident) -> list[str]:
    """Why the incident needs a CQC notification (empty if it does not).

    Death, serious injury, abuse or allegation of abuse, police involvement, events that stop
    the service running safely, and pressure ulcers of grade 3 or 4.
    """
    flags = incident.governance
    reasons = [
        name
        for name in (
            "death",
            "serious_injury",
            "abuse_or_allegation",
            "police_involved",
            "service_disruption",
        )
        if getattr(flags, name)
    ]
    grade = flags.pressure_ulcer_grade
    if isinstance(grade, int) and grade >= 3:
        reasons.append("pressure_ulcer_grade_3_plus")
    return reasons


def is_duty_of_candour_candidate(incident: Incident) -> bool:
    """Moderate or worse physical harm, or moderate or worse psychological harm."""
    return (
        incident.physical_harm in MODERATE_OR_WORSE_PHYSICAL
        or incident.psychological_harm in MODERATE_OR_WORSE_PSYCHOLOGICAL
    )


def _nested() -> defaultdict[str, Counter[str]]:
    return defaultdict(Counter)


@dataclass
class GroundTruth:
    """Counts and lists accumulated event by event; :meth:`to_dict` is JSON-serialisable."""

    scenario: dict[str, Any] = field(default_factory=dict)
    events_by_type: Counter[str] = field(default_factory=Counter)
    events_by_site: defaultdict[str, Counter[str]] = field(default_factory=_nested)
    events_by_month: defaultdict[str, Counter[str]] = field(default_factory=_nested)
    incidents_by_category: Counter[str] = field(default_factory=Counter)
    incidents_by_physical_harm: Counter[str] = field(default_factory=Counter)
    incidents_by_psychological_harm: Counter[str] = field(default_factory=Counter)
    incidents_by_site_month: defaultdict[str, defaultdict[str, Counter[str]]] = field(
        default_factory=lambda: defaultdict(_nested)
    )
    cqc_notifiable: list[dict[str, Any]] = field(default_factory=list)
    duty_of_candour_candidates: list[str] = field(default_factory=list)
    safeguarding_referrals: list[str] = field(default_factory=list)
    complaints_by_category: Counter[str] = field(default_factory=Counter)
    complaint_outcomes: dict[str, str] = field(default_factory=dict)
    audits_by_type: Counter[str] = field(default_factory=Counter)
    audits_with_failed_items: list[str] = field(default_factory=list)
    failed_audit_items: int = 0
    feedback_by_kind: Counter[str] = field(default_factory=Counter)
    redaction_probes: list[dict[str, str]] = field(default_factory=list)

    def record(self, event: AnyFactEvent, note: TruthNote) -> None:
        """Count one emitted event, with what the generator knows about it."""
        month = event.time.strftime("%Y-%m")
        self.events_by_type[event.type] += 1
        self.events_by_site[event.siteid][event.type] += 1
        self.events_by_month[month][event.type] += 1
        if note.redaction_probe is not None:
            path, kind = note.redaction_probe
            self.redaction_probes.append({"event_id": event.id, "field": path, "kind": kind})
        if isinstance(event, IncidentReported):
            self._record_incident(event, month, note)
        elif isinstance(event, ComplaintReceived):
            self.complaints_by_category[event.data.category] += 1
            upheld = "upheld" if note.complaint_upheld else "not_upheld"
            self.complaint_outcomes[event.id] = upheld
        elif isinstance(event, AuditCompleted):
            self.audits_by_type[event.data.audit_type] += 1
            failed = len(event.data.failed_items)
            self.failed_audit_items += failed
            if failed:
                self.audits_with_failed_items.append(event.id)
        elif isinstance(event, FeedbackReceived):
            self.feedback_by_kind[event.data.kind] += 1

    def _record_incident(self, event: IncidentReported, month: str, note: TruthNote) -> None:
        incident = event.data
        self.incidents_by_category[incident.category] += 1
        self.incidents_by_physical_harm[incident.physical_harm] += 1
        self.incidents_by_psychological_harm[incident.psychological_harm] += 1
        self.incidents_by_site_month[event.siteid][month][incident.category] += 1
        reasons = cqc_notification_reasons(incident)
        if reasons:
            delay = note.notification_delay_hours
            self.cqc_notifiable.append(
                {
                    "event_id": event.id,
                    "site_id": event.siteid,
                    "reasons": reasons,
                    "notification_delay_hours": delay,
                    "late": delay is not None and delay > NOTIFICATION_POLICY_HOURS,
                }
            )
        if is_duty_of_candour_candidate(incident):
            self.duty_of_candour_candidates.append(event.id)
        if incident.governance.safeguarding_concern:
            self.safeguarding_referrals.append(event.id)

    @property
    def total_events(self) -> int:
        """How many events were recorded."""
        return sum(self.events_by_type.values())

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form (counters become dicts with string keys)."""
        upheld = sum(outcome == "upheld" for outcome in self.complaint_outcomes.values())
        return {
            **self.scenario,
            "notification_policy_hours": NOTIFICATION_POLICY_HOURS,
            "total_events": self.total_events,
            "events_by_type": _plain(self.events_by_type),
            "events_by_site": _plain(self.events_by_site),
            "events_by_month": _plain(self.events_by_month),
            "incidents_by_category": _plain(self.incidents_by_category),
            "incidents_by_physical_harm": _plain(self.incidents_by_physical_harm),
            "incidents_by_psychological_harm": _plain(self.incidents_by_psychological_harm),
            "incidents_by_site_month": _plain(self.incidents_by_site_month),
            "cqc_notifiable": self.cqc_notifiable,
            "late_notifications": sum(item["late"] for item in self.cqc_notifiable),
            "duty_of_candour_candidates": self.duty_of_candour_candidates,
            "safeguarding_referrals": self.safeguarding_referrals,
            "complaints": {
                "count": len(self.complaint_outcomes),
                "upheld": upheld,
                "by_category": _plain(self.complaints_by_category),
                "outcomes": dict(self.complaint_outcomes),
            },
            "audits": {
                "count": sum(self.audits_by_type.values()),
                "by_type": _plain(self.audits_by_type),
                "with_failed_items": self.audits_with_failed_items,
                "failed_items": self.failed_audit_items,
            },
            "feedback_by_kind": _plain(self.feedback_by_kind),
            "redaction_probes": self.redaction_probes,
        }


def _plain(counts: Any) -> Any:
    """Nested counters to nested dicts with sorted ``str`` keys (enum keys become values)."""
    if isinstance(counts, dict):
        return {str(key): _plain(counts[key]) for key in sorted(counts, key=str)}
    return counts
