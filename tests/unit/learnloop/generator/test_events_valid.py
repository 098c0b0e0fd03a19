"""Every generated event is a valid fact event, well numbered and in time order."""

import re
from collections import Counter
from datetime import datetime

from shared.events import (
    AuditCompleted,
    ComplainantType,
    ComplaintReceived,
    ComplaintResolved,
    FeedbackReceived,
    IncidentReported,
    parse_fact_event,
)
from tests.unit.learnloop.generator.runs import Run

SUBJECT = re.compile(
    r"^(incidents/INC|complaints/CMP|audits/AUD|feedback/FB)-\d{4}-\d{6}(/outcome)?$"
)
PERSON_REF = re.compile(r"^[A-Z]{2}-\d{3}-\d{3}$")


def test_every_event_reparses_to_the_same_bytes(default_run: Run) -> None:
    for event in default_run.events:
        wire = event.to_json_bytes()
        assert parse_fact_event(wire).to_json_bytes() == wire


def test_events_are_in_time_order_with_sequential_ids(default_run: Run) -> None:
    times = [event.time for event in default_run.events]
    assert times == sorted(times)
    ids = [event.id for event in default_run.events if event.type != "complaint.resolved"]
    assert ids == [f"gen-42-{n:07d}" for n in range(1, len(ids) + 1)]
    complaints = {e.id for e in default_run.events if e.type == "complaint.received"}
    answers = [e for e in default_run.events if isinstance(e, ComplaintResolved)]
    assert answers
    assert all(a.id == f"{a.data.complaint_event_id}-resolved" for a in answers)
    assert {a.data.complaint_event_id for a in answers} <= complaints


def test_subjects_follow_each_register_numbering(default_run: Run) -> None:
    subjects = [event.subject or "" for event in default_run.events]
    assert all(SUBJECT.match(subject) for subject in subjects)
    assert len(set(subjects)) == len(subjects)
    assert "incidents/INC-2025-000001" in subjects


def test_events_sit_in_the_provider_hierarchy(default_run: Run) -> None:
    regions = {site.site_id: site.region_id for site in default_run.provider.sites}
    for event in default_run.events:
        assert event.providerid == "demo-care-group"
        assert regions[event.siteid] == event.region
        assert event.source.startswith(f"/providers/demo-care-group/sites/{event.siteid}/")


def test_every_kind_of_event_is_produced(default_run: Run) -> None:
    kinds = Counter(type(event) for event in default_run.events)
    assert set(kinds) == {
        IncidentReported, ComplaintReceived, ComplaintResolved, AuditCompleted, FeedbackReceived,
    }  # fmt: skip


def test_people_are_pseudonymous(default_run: Run) -> None:
    for event in default_run.events:
        if isinstance(event, IncidentReported):
            refs = [person.person_ref for person in event.data.people_involved]
        elif isinstance(event, ComplaintReceived):
            refs = [event.data.complainant_ref or "", event.data.subject_person_ref or ""]
            if event.data.complainant_type is ComplainantType.ANONYMOUS:
                assert event.data.complainant_ref is None
        elif isinstance(event, FeedbackReceived):
            refs = [event.data.about_staff_ref or ""]
        else:
            refs = []
        assert all(PERSON_REF.match(ref) for ref in refs if ref)


def test_some_texts_carry_contact_details_for_redaction(default_run: Run) -> None:
    by_id = {event.id: event for event in default_run.events}
    probes = default_run.truth.redaction_probes
    assert 20 <= len(probes) <= 500
    for probe in probes:
        wire = by_id[probe["event_id"]].to_json_bytes()
        assert (b"07700 900" if probe["kind"] == "phone" else b"@example.com") in wire
    probed = {probe["event_id"] for probe in probes}
    unprobed = (event for event in default_run.events if event.id not in probed)
    assert not any(b"@example.com" in event.to_json_bytes() for event in unprobed)


def test_complaints_are_about_things_that_happened_before_they_were_received(
    default_run: Run,
) -> None:
    complaints = [e.data for e in default_run.events if isinstance(e, ComplaintReceived)]
    dated = [c for c in complaints if c.event_date is not None]
    assert dated and all(c.event_date <= c.received_on for c in dated if c.event_date)
    assert any(not isinstance(c.received_at, datetime) for c in complaints)  # date only
