"""The ground truth agrees with an independent recount of the generated events."""

import json
from collections import Counter, defaultdict

from shared.events import (
    AuditAnswer,
    AuditCompleted,
    ComplaintReceived,
    FeedbackReceived,
    IncidentReported,
)
from tests.unit.learnloop.generator.runs import Run

NOTIFIABLE_FLAGS = (
    "death",
    "serious_injury",
    "abuse_or_allegation",
    "police_involved",
    "service_disruption",
)


def test_truth_is_json_serialisable(default_run: Run) -> None:
    truth = default_run.truth.to_dict()
    assert json.loads(json.dumps(truth, sort_keys=True)) == truth
    assert truth["config"]["seed"] == 42
    assert len(truth["provider"]["sites"]) == 40


def test_event_counts_match(default_run: Run) -> None:
    truth = default_run.truth.to_dict()
    assert truth["total_events"] == len(default_run.events)
    assert truth["events_by_type"] == dict(Counter(event.type for event in default_run.events))
    by_site: defaultdict[str, Counter[str]] = defaultdict(Counter)
    by_month: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for event in default_run.events:
        by_site[event.siteid][event.type] += 1
        by_month[event.time.strftime("%Y-%m")][event.type] += 1
    assert truth["events_by_site"] == {site: dict(counts) for site, counts in by_site.items()}
    assert truth["events_by_month"] == {month: dict(counts) for month, counts in by_month.items()}
    assert len(truth["events_by_month"]) == 12


def test_incident_counts_match(default_run: Run) -> None:
    truth = default_run.truth.to_dict()
    incidents = [event.data for event in default_run.incidents]
    assert truth["incidents_by_category"] == dict(Counter(i.category.value for i in incidents))
    assert truth["incidents_by_physical_harm"] == dict(
        Counter(i.physical_harm.value for i in incidents)
    )
    per_site = sum(
        count
        for months in truth["incidents_by_site_month"].values()
        for categories in months.values()
        for count in categories.values()
    )
    assert per_site == len(incidents)


def test_governance_lists_match(default_run: Run) -> None:
    notifiable, candour, safeguarding = [], [], []
    for event in default_run.incidents:
        incident, flags = event.data, event.data.governance
        grade = flags.pressure_ulcer_grade
        if any(getattr(flags, name) for name in NOTIFIABLE_FLAGS) or (
            isinstance(grade, int) and grade >= 3
        ):
            notifiable.append(event.id)
        if incident.physical_harm in ("moderate", "severe", "fatal") or (
            incident.psychological_harm in ("moderate", "severe")
        ):
            candour.append(event.id)
        if flags.safeguarding_concern:
            safeguarding.append(event.id)
    truth = default_run.truth.to_dict()
    assert [item["event_id"] for item in truth["cqc_notifiable"]] == notifiable
    assert truth["duty_of_candour_candidates"] == candour
    assert truth["safeguarding_referrals"] == safeguarding
    assert notifiable and candour and safeguarding


def test_late_notifications_are_recorded_only_in_the_truth(default_run: Run) -> None:
    truth = default_run.truth.to_dict()
    delays = [item["notification_delay_hours"] for item in truth["cqc_notifiable"]]
    assert all(delay is not None and delay > 0 for delay in delays)
    late = [item for item in truth["cqc_notifiable"] if item["late"]]
    assert late and truth["late_notifications"] == len(late)
    assert all(item["notification_delay_hours"] > 24 for item in late)
    assert not any(b"notification" in event.to_json_bytes() for event in default_run.incidents)


def test_complaint_audit_and_feedback_counts_match(default_run: Run) -> None:
    truth = default_run.truth.to_dict()
    complaints = [e for e in default_run.events if isinstance(e, ComplaintReceived)]
    assert truth["complaints"]["count"] == len(complaints)
    assert set(truth["complaints"]["outcomes"]) == {event.id for event in complaints}
    audits = [e for e in default_run.events if isinstance(e, AuditCompleted)]
    failed = [
        [item for item in event.data.items if item.answer is AuditAnswer.NO] for event in audits
    ]
    assert truth["audits"]["count"] == len(audits)
    assert truth["audits"]["failed_items"] == sum(len(items) for items in failed)
    assert truth["audits"]["with_failed_items"] == [
        event.id for event, items in zip(audits, failed, strict=True) if items
    ]
    feedback = Counter(
        e.data.kind.value for e in default_run.events if isinstance(e, FeedbackReceived)
    )
    assert truth["feedback_by_kind"] == dict(feedback)
    assert all(isinstance(e, IncidentReported) for e in default_run.incidents)
