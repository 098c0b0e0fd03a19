"""Realistic, valid example events for tests (and for anyone needing a well-formed event).

Every factory returns a fresh, fully valid event. ``changed`` and ``without`` derive invalid
variants from an event's JSON-ready dict by editing one field path.
"""

import copy
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from pydantic import ValidationError

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
    ComplaintOutcome,
    ComplaintReceived,
    ComplaintResolution,
    ComplaintResolved,
    ComplaintSeverity,
    Feedback,
    FeedbackKind,
    FeedbackReceived,
    FeedbackSource,
    FundingSource,
    GovernanceFlags,
    Incident,
    IncidentCategory,
    IncidentReported,
    InvolvedAgent,
    LocationDetail,
    MedicationProblem,
    PersonInvolved,
    PersonRole,
    PhysicalHarm,
    PsychologicalHarm,
    ReporterRole,
)

PROVIDER = {"providerid": "harbour-care", "siteid": "rosewood-house", "region": "north-west"}
SOURCE = "/providers/harbour-care/sites/rosewood-house/staff-app"
Path = Sequence[str | int]


def fall_incident() -> IncidentReported:
    """An unwitnessed night-time fall in a bedroom: low physical harm, no governance flags."""
    return IncidentReported(
        id="0b6f3c1e-8d2a-4c55-9a41-3f1f1e0c7a01",
        source=SOURCE,
        time=datetime(2025, 3, 14, 2, 40, tzinfo=UTC),
        subject="incidents/INC-2025-000318",
        **PROVIDER,
        data=Incident(
            occurred_at=datetime(2025, 3, 14, 2, 15, tzinfo=UTC),
            reported_at=datetime(2025, 3, 14, 2, 38, tzinfo=UTC),
            reporter_role=ReporterRole.CARE_WORKER,
            category=IncidentCategory.FALL,
            physical_harm=PhysicalHarm.LOW,
            psychological_harm=PsychologicalHarm.LOW,
            people_involved=[PersonInvolved(role=PersonRole.SERVICE_USER, person_ref="SU-1042")],
            location_detail=LocationDetail.BEDROOM,
            description=(
                "Resident found sitting on the floor beside the bed during the 02:15 check. "
                "Said she was trying to reach the toilet. Small graze to left elbow."
            ),
            immediate_actions=[
                "Post-falls protocol followed; no head injury",
                "Graze cleaned and dressed",
                "Sensor mat placed; family and GP informed in the morning",
            ],
        ),
    )


def medication_incident() -> IncidentReported:
    """A missed evening dose found at handover, with a correlation id to later events."""
    return IncidentReported(
        id="4e2a7d90-61b3-4f0e-8f6c-2d5b9c8e1a22",
        source=SOURCE,
        time=datetime(2025, 5, 2, 21, 5, tzinfo=UTC),
        correlationid="corr-med-2025-05-02",
        **PROVIDER,
        data=Incident(
            occurred_at=datetime(2025, 5, 2, 17, 0, tzinfo=UTC),
            reported_at=datetime(2025, 5, 2, 21, 0, tzinfo=UTC),
            reporter_role=ReporterRole.SENIOR_CARER,
            category=IncidentCategory.MEDICATION,
            physical_harm=PhysicalHarm.NONE,
            psychological_harm=PsychologicalHarm.NONE,
            people_involved=[
                PersonInvolved(role=PersonRole.SERVICE_USER, person_ref="SU-0877"),
                PersonInvolved(role=PersonRole.STAFF, person_ref="ST-2231"),
            ],
            location_detail=LocationDetail.DINING_ROOM,
            description="Evening dose of an anticoagulant not given; MAR chart left unsigned.",
            immediate_actions=["111 advice sought", "Dose given as advised"],
            medication_problem=MedicationProblem.OMITTED,
            involved_agents=[InvolvedAgent.MEDICATIONS],
        ),
    )


def pressure_ulcer_incident() -> IncidentReported:
    """A grade 3 pressure ulcer found during personal care: moderate harm, serious injury."""
    return IncidentReported(
        id="pu-2025-0042",
        source=SOURCE,
        time=datetime(2025, 2, 20, 10, 5, tzinfo=UTC),
        **PROVIDER,
        data=Incident(
            occurred_at=datetime(2025, 2, 20, 8, 30, tzinfo=UTC),
            reported_at=datetime(2025, 2, 20, 10, 0, tzinfo=UTC),
            reporter_role=ReporterRole.NURSE,
            category=IncidentCategory.PRESSURE_DAMAGE,
            physical_harm=PhysicalHarm.MODERATE,
            psychological_harm=PsychologicalHarm.NONE,
            people_involved=[PersonInvolved(role=PersonRole.SERVICE_USER, person_ref="SU-0610")],
            location_detail=LocationDetail.BEDROOM,
            description="Category 3 pressure ulcer found on sacrum during morning personal care.",
            involved_agents=[InvolvedAgent.NONE_OF_THE_ABOVE],
            governance=GovernanceFlags(
                pressure_ulcer_grade=3, serious_injury=True, safeguarding_concern=True
            ),
        ),
    )


def complaint_received() -> ComplaintReceived:
    """A relative's email complaint about poor communication after a hospital admission."""
    return ComplaintReceived(
        id="c7d1a9b2-3e44-4d0a-b7f5-91c2e6a8d013",
        source="/providers/harbour-care/sites/rosewood-house/complaints-inbox",
        time=datetime(2025, 4, 7, 9, 12, tzinfo=UTC),
        **PROVIDER,
        data=Complaint(
            received_at=datetime(2025, 4, 7, 9, 0, tzinfo=UTC),
            channel=ComplaintChannel.EMAIL,
            complainant_type=ComplainantType.RELATIVE,
            complainant_ref="RL-3310",
            subject_person_ref="SU-1042",
            category=ComplaintCategory.COMMUNICATION,
            summary="Family were not told for two days that their mother had gone into hospital.",
            severity=ComplaintSeverity.MEDIUM,
            desired_outcome="An apology and a clear rule on when families are called.",
            event_date=date(2025, 3, 29),
            is_funded_by=FundingSource.LOCAL_AUTHORITY,
        ),
    )


def complaint_resolved() -> ComplaintResolved:
    """The response to that complaint, 12 days later: partly upheld."""
    return ComplaintResolved(
        id="c7d1a9b2-3e44-4d0a-b7f5-91c2e6a8d013-resolved",
        source="/providers/harbour-care/sites/rosewood-house/complaints-inbox",
        time=datetime(2025, 4, 19, 15, 0, tzinfo=UTC),
        **PROVIDER,
        data=ComplaintResolution(
            complaint_event_id="c7d1a9b2-3e44-4d0a-b7f5-91c2e6a8d013",
            outcome=ComplaintOutcome.PARTLY_UPHELD,
            responded_at=datetime(2025, 4, 19, 14, 30, tzinfo=UTC),
            response_summary="Apologised; hospital transfers now trigger a call to next of kin.",
        ),
    )


def audit_completed() -> AuditCompleted:
    """A monthly medication audit: 3 yes, 1 no, 1 not applicable, so a score of 0.75."""
    return AuditCompleted(
        id="a1f0e6c4-2b7d-4f39-8d11-6e3b5a9c0f44",
        source="/providers/harbour-care/sites/rosewood-house/audit-tool",
        time=datetime(2025, 3, 31, 16, 30, tzinfo=UTC),
        **PROVIDER,
        data=Audit(
            audit_type=AuditType.MEDICATION,
            frequency=AuditFrequency.MONTHLY,
            completed_at=datetime(2025, 3, 31, 16, 0, tzinfo=UTC),
            auditor_role=AuditorRole.DEPUTY_MANAGER,
            period_start=date(2025, 3, 1),
            period_end=date(2025, 3, 31),
            items=[
                AuditItem(
                    item_id="MED-01",
                    question="MAR charts signed for every dose given",
                    answer=AuditAnswer.NO,
                    comment="Two gaps on the first floor chart.",
                    evidence="MAR charts, first floor, week 3",
                ),
                AuditItem(
                    item_id="MED-02",
                    question="Controlled drugs register balanced",
                    answer=AuditAnswer.YES,
                ),
                AuditItem(
                    item_id="MED-03",
                    question="Fridge temperatures recorded daily",
                    answer=AuditAnswer.YES,
                ),
                AuditItem(
                    item_id="MED-04", question="PRN protocols in place", answer=AuditAnswer.YES
                ),
                AuditItem(
                    item_id="MED-05",
                    question="Covert medication authorised",
                    answer=AuditAnswer.NOT_APPLICABLE,
                ),
            ],
        ),
    )


def feedback_received() -> FeedbackReceived:
    """A relative's five-star compliment about activities."""
    return FeedbackReceived(
        id="f3b8c2d7-5a16-4e92-a0c3-7d4e1b9f2a55",
        source="/providers/harbour-care/sites/rosewood-house/feedback-form",
        time=datetime(2025, 6, 1, 18, 45, tzinfo=UTC),
        **PROVIDER,
        data=Feedback(
            received_at=datetime(2025, 6, 1, 18, 40, tzinfo=UTC),
            source=FeedbackSource.RELATIVE,
            kind=FeedbackKind.COMPLIMENT,
            rating=5,
            text="The garden party was lovely and Dad talked about it all week.",
            topics=["activities", "garden"],
            about_staff_ref="ST-2231",
        ),
    )


def all_examples() -> list[AnyFactEvent]:
    """One or more valid examples of every fact event type."""
    return [
        fall_incident(),
        medication_incident(),
        pressure_ulcer_incident(),
        complaint_received(),
        complaint_resolved(),
        audit_completed(),
        feedback_received(),
    ]


def as_json_dict(event: AnyFactEvent) -> dict[str, Any]:
    """The event as its JSON-ready dict (what a consumer decodes from the wire)."""
    return event.model_dump(mode="json", exclude_none=True)


def changed(event: AnyFactEvent, path: Path, value: Any) -> dict[str, Any]:
    """The event's JSON dict with the value at ``path`` set to ``value``."""
    raw = copy.deepcopy(as_json_dict(event))
    parent = _walk(raw, path[:-1])
    parent[path[-1]] = value
    return raw


def without(event: AnyFactEvent, path: Path) -> dict[str, Any]:
    """The event's JSON dict with the field at ``path`` removed."""
    raw = copy.deepcopy(as_json_dict(event))
    del _walk(raw, path[:-1])[path[-1]]
    return raw


def _walk(raw: Any, path: Path) -> Any:
    for step in path:
        raw = raw[step]
    return raw


def error_locs(error: ValidationError) -> list[tuple[str | int, ...]]:
    """The ``loc`` of every error in a pydantic ``ValidationError``."""
    return [tuple(detail["loc"]) for detail in error.errors()]


def assert_only_errors_at(error: ValidationError, expected: tuple[str | int, ...]) -> None:
    """Assert that the validation failed at ``expected`` (or inside it), and nowhere else."""
    locs = error_locs(error)
    assert locs, "expected at least one error"
    assert all(loc[: len(expected)] == expected for loc in locs), f"{locs} not at {expected}"
