"""A small, hand-built provider history: the facts (derived_fixture.py: what was learned).

The expected numbers in the tests are worked out by hand from this file (see the comments).
Derived events carry a June time, so while their facts are unknown they are placed in June and
must move to the facts' months once the facts arrive.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from shared.events import (
    AnyFactEvent,
    Audit,
    AuditAnswer,
    AuditCompleted,
    AuditFrequency,
    AuditItem,
    AuditorRole,
    AuditType,
    ComplainantType,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintReceived,
    ComplaintSeverity,
    Feedback,
    FeedbackKind,
    FeedbackReceived,
    FeedbackSource,
    Incident,
    IncidentCategory,
    IncidentReported,
    LocationDetail,
    PersonInvolved,
    PersonRole,
    PhysicalHarm,
    PsychologicalHarm,
    ReporterRole,
)

PROVIDER, OTHER_PROVIDER = "harbour-care", "other-care"
SITES = {  # site -> (provider, region)
    "rosewood-house": (PROVIDER, "north-west"),
    "elm-court": (PROVIDER, "north-west"),
    "oak-lodge": (PROVIDER, "north-east"),
    "pine-view": (OTHER_PROVIDER, "south"),
}
DERIVED_TIME = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 7, 15, 12, 0, tzinfo=UTC)  # the API's clock in the tests
SITES_FILE = [
    {"site_id": "rosewood-house", "region": "north-west", "kind": "care_home", "beds": 45,
     "occupied_beds": 40},
    {"site_id": "elm-court", "region": "north-west", "kind": "care_home", "beds": 32,
     "occupied_beds": 30},
    {"site_id": "oak-lodge", "region": "north-east", "kind": "homecare",
     "care_hours_per_month": 2000},
    {"site_id": "pine-view", "region": "south", "kind": "care_home", "provider_id": OTHER_PROVIDER,
     "occupied_beds": 20},
]  # fmt: skip


def at(text: str) -> datetime:
    """A UTC moment from ``YYYY-MM-DDTHH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def place(site: str) -> dict[str, str]:
    """Envelope attributes placing an event at ``site``."""
    provider, region = SITES[site]
    return {"providerid": provider, "siteid": site, "region": region}


def incident(event_id: str, site: str, when: str, category: str, harm: str) -> IncidentReported:
    """An incident with just the fields reporting looks at."""
    moment = at(when)
    return IncidentReported(
        id=event_id, source="/providers/test/staff-app", time=moment, **place(site),
        data=Incident(
            occurred_at=moment, reported_at=moment, reporter_role=ReporterRole.CARE_WORKER,
            category=IncidentCategory(category), physical_harm=PhysicalHarm(harm),
            psychological_harm=PsychologicalHarm.NONE,
            people_involved=[PersonInvolved(role=PersonRole.SERVICE_USER, person_ref="SU-0001")],
            location_detail=LocationDetail.BEDROOM, description="Test incident.",
        ),
    )  # fmt: skip


def complaint(
    event_id: str, site: str, received: datetime | date, category: str
) -> ComplaintReceived:
    """A complaint received at ``site``."""
    return ComplaintReceived(
        id=event_id, source="/providers/test/complaints", time=at("2025-03-01T00:00"),
        **place(site),
        data=Complaint(
            received_at=received, channel=ComplaintChannel.EMAIL,
            complainant_type=ComplainantType.RELATIVE, category=ComplaintCategory(category),
            summary="Test complaint.", severity=ComplaintSeverity.MEDIUM,
        ),
    )  # fmt: skip


def audit(event_id: str, site: str, when: str, answers: str) -> AuditCompleted:
    """A medication audit; ``answers`` is a string of Y, N and A (not applicable)."""
    codes = {"Y": AuditAnswer.YES, "N": AuditAnswer.NO, "A": AuditAnswer.NOT_APPLICABLE}
    moment = at(when)
    return AuditCompleted(
        id=event_id, source="/providers/test/audits", time=moment, **place(site),
        data=Audit(
            audit_type=AuditType.MEDICATION, frequency=AuditFrequency.MONTHLY,
            completed_at=moment, auditor_role=AuditorRole.DEPUTY_MANAGER,
            period_start=date(moment.year, moment.month, 1), period_end=moment.date(),
            items=[
                AuditItem(item_id=f"MED-{n}", question="Checked?", answer=codes[a])
                for n, a in enumerate(answers)
            ],
        ),
    )  # fmt: skip


def feedback(
    event_id: str, site: str, when: str, kind: str, rating: int | None
) -> FeedbackReceived:
    """Feedback with a rating, or text only."""
    moment = at(when)
    return FeedbackReceived(
        id=event_id, source="/providers/test/feedback", time=moment, **place(site),
        data=Feedback(
            received_at=moment, source=FeedbackSource.RELATIVE, kind=FeedbackKind(kind),
            rating=rating, text=None if rating else "Lovely staff.",
        ),
    )  # fmt: skip


def facts() -> list[AnyFactEvent]:
    """Q1 2025 at harbour-care (plus one feedback in April) and one incident at other-care."""
    return [
        incident("I1", "rosewood-house", "2025-02-10T10:00", "fall", "low"),
        incident("I2", "rosewood-house", "2025-03-05T10:00", "fall", "none"),
        incident("I3", "rosewood-house", "2025-03-12T10:00", "fall", "moderate"),
        incident("I4", "rosewood-house", "2025-03-20T10:00", "medication", "none"),
        incident("I5", "elm-court", "2025-03-08T10:00", "fall", "low"),
        incident("I6", "oak-lodge", "2025-03-15T10:00", "pressure_damage", "moderate"),
        incident("I7", "pine-view", "2025-03-10T10:00", "fall", "low"),
        complaint("C1", "rosewood-house", at("2025-03-03T09:00"), "communication"),
        complaint("C2", "elm-court", date(2025, 3, 25), "care_quality"),  # midday
        audit("A1", "rosewood-house", "2025-03-31T16:00", "YYYNA"),  # 0.75, 1 failed
        audit("A2", "elm-court", "2025-03-28T16:00", "YYYY"),  # 1.0
        audit("A3", "rosewood-house", "2025-02-27T16:00", "YN"),  # 0.5, 1 failed
        feedback("F1", "rosewood-house", "2025-03-02T12:00", "compliment", 5),
        feedback("F2", "rosewood-house", "2025-03-18T12:00", "concern", 2),
        feedback("F3", "elm-court", "2025-03-22T12:00", "good_practice", None),
        feedback("F4", "rosewood-house", "2025-04-15T12:00", "general", 4),
    ]
