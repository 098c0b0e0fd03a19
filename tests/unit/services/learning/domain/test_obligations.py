"""Obligations that events make due: triggers, non-triggers, deadlines and reasons."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.learning.domain.event_paths import Fact
from services.learning.domain.obligation_rules import StatutoryStatus
from services.learning.domain.obligations import Obligation, obligations_for
from services.learning.domain.rulebook import Rulebook, load_rulebook
from shared.events import AnyFactEvent
from tests.unit.services.learning.domain.builders import (
    JsonDict,
    audit,
    complaint,
    feedback,
    incident,
    tailored_rules,
)
from tests.unit.shared.events.examples import pressure_ulcer_incident

REPORTED = datetime(2026, 3, 27, 10, 0, tzinfo=UTC)  # Friday before Easter 2026, GMT
OCCURRED = REPORTED - timedelta(hours=1)


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook()


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def due(event: AnyFactEvent, rulebook: Rulebook) -> dict[str, Obligation]:
    return {obligation.kind: obligation for obligation in obligations_for(event, rulebook)}


def reported_incident(**data: Any) -> AnyFactEvent:
    """An incident at a fixed time with ``data`` replaced; low harm and no flags unless given."""
    return incident(occurred_at=OCCURRED.isoformat(), reported_at=REPORTED.isoformat(), **data)


def test_a_low_harm_fall_without_flags_makes_nothing_due(rulebook: Rulebook) -> None:
    assert obligations_for(reported_incident(), rulebook) == []


# --- CQC notification ------------------------------------------------------------------------

CQC_TRIGGERS: list[tuple[str, JsonDict, JsonDict]] = [
    ("death", {"death": True}, {"physical_harm": "fatal"}),
    ("serious injury", {"serious_injury": True}, {}),
    ("abuse or allegation", {"abuse_or_allegation": True}, {}),
    ("police involved", {"police_involved": True}, {}),
    ("service disruption", {"service_disruption": True}, {}),
    ("DoLS", {"deprivation_of_liberty": True}, {}),
    ("grade 3 ulcer", {"pressure_ulcer_grade": 3}, {"category": "pressure_damage"}),
    ("grade 4 ulcer", {"pressure_ulcer_grade": 4}, {"category": "pressure_damage"}),
    ("unstageable ulcer", {"pressure_ulcer_grade": "unstageable"}, {"category": "pressure_damage"}),
]


@pytest.mark.parametrize(
    ("flags", "data"), [case[1:] for case in CQC_TRIGGERS], ids=[case[0] for case in CQC_TRIGGERS]
)
def test_cqc_notification_is_due_24_hours_after_the_report(
    flags: JsonDict, data: JsonDict, rulebook: Rulebook
) -> None:
    cqc = due(reported_incident(governance=flags, **data), rulebook)["cqc_notification"]
    assert cqc.due_at == REPORTED + timedelta(hours=24)
    assert cqc.statutory is StatutoryStatus.STATUTORY
    (name, value), *_ = flags.items()
    assert Fact(f"governance.{name}", value) in cqc.reasons


@pytest.mark.parametrize(
    ("flags", "data"),
    [
        ({"pressure_ulcer_grade": 2}, {"category": "pressure_damage"}),
        ({"pressure_ulcer_grade": "deep_tissue_injury"}, {"category": "pressure_damage"}),
        ({"safeguarding_concern": True}, {}),
        ({"riddor_reportable": True}, {}),
        ({"never_event": True}, {}),
    ],
)
def test_cqc_notification_is_not_due_for_other_facts(
    flags: JsonDict, data: JsonDict, rulebook: Rulebook
) -> None:
    assert "cqc_notification" not in due(reported_incident(governance=flags, **data), rulebook)


# --- duty of candour -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"physical_harm": "moderate"}, Fact("physical_harm", "moderate")),
        ({"physical_harm": "severe"}, Fact("physical_harm", "severe")),
        (
            {"physical_harm": "fatal", "governance": {"death": True}},
            Fact("physical_harm", "fatal"),
        ),
        ({"psychological_harm": "moderate"}, Fact("psychological_harm", "moderate")),
        ({"psychological_harm": "severe"}, Fact("psychological_harm", "severe")),
        ({"governance": {"serious_injury": True}}, Fact("governance.serious_injury", True)),
    ],
)
def test_duty_of_candour_is_due_in_10_working_days(
    data: JsonDict, reason: Fact, rulebook: Rulebook
) -> None:
    candour = due(reported_incident(**data), rulebook)["duty_of_candour"]
    assert candour.statutory is StatutoryStatus.STATUTORY_WORDING_POLICY_DEFAULT
    assert reason in candour.reasons
    # Fri 27 March 2026: 30, 31 March, 1, 2 April; Good Friday and Easter Monday skipped;
    # 7-10 and 13, 14 April. End of Tuesday 14 April in BST.
    assert candour.due_at == utc(2026, 4, 14, 22, 59, 59)


@pytest.mark.parametrize(
    "data",
    [
        {"physical_harm": "none", "psychological_harm": "none"},
        {"physical_harm": "low", "psychological_harm": "low"},
    ],
)
def test_duty_of_candour_is_not_due_for_no_or_low_harm(data: JsonDict, rulebook: Rulebook) -> None:
    assert "duty_of_candour" not in due(reported_incident(**data), rulebook)


# --- safeguarding referral -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            {"governance": {"safeguarding_concern": True}},
            Fact("governance.safeguarding_concern", True),
        ),
        (
            {"governance": {"abuse_or_allegation": True}},
            Fact("governance.abuse_or_allegation", True),
        ),
        ({"category": "safeguarding"}, Fact("category", "safeguarding")),
    ],
)
def test_a_safeguarding_referral_is_due_by_the_end_of_the_next_working_day(
    data: JsonDict, reason: Fact, rulebook: Rulebook
) -> None:
    event = incident(reported_at="2026-04-02T09:00:00Z", occurred_at="2026-04-02T08:00:00Z", **data)
    referral = due(event, rulebook)["safeguarding_referral"]
    assert referral.statutory is StatutoryStatus.POLICY
    assert referral.reasons == (reason,)
    # Thursday 2 April 2026: Good Friday and Easter Monday are not working days.
    assert referral.due_at == utc(2026, 4, 7, 22, 59, 59)


def test_a_safeguarding_complaint_needs_a_referral_too(rulebook: Rulebook) -> None:
    event = complaint(category="safeguarding", received_at="2026-04-02T16:00:00Z")
    referral = due(event, rulebook)["safeguarding_referral"]
    assert referral.due_at == utc(2026, 4, 7, 22, 59, 59)
    assert referral.reasons == (Fact("category", "safeguarding"),)


def test_no_referral_without_a_safeguarding_fact(rulebook: Rulebook) -> None:
    assert "safeguarding_referral" not in due(complaint(category="communication"), rulebook)


# --- RIDDOR ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "visitor"])
def test_riddor_is_due_10_days_after_a_staff_or_visitor_injury(
    role: str, rulebook: Rulebook
) -> None:
    event = reported_incident(governance={"riddor_reportable": True}, people=["service_user", role])
    riddor = due(event, rulebook)["riddor"]
    assert riddor.statutory is StatutoryStatus.STATUTORY
    assert riddor.clock_started_at == OCCURRED
    # 27 March + 10 calendar days = Monday 6 April (Easter Monday counts), end of day in BST.
    assert riddor.due_at == utc(2026, 4, 6, 22, 59, 59)
    assert riddor.reasons == (
        Fact("governance.riddor_reportable", True),
        Fact("people_involved[1].role", role),
    )


@pytest.mark.parametrize(
    ("flags", "people"),
    [
        ({"riddor_reportable": True}, ["service_user"]),
        ({"riddor_reportable": False}, ["staff"]),
    ],
)
def test_riddor_needs_both_the_flag_and_a_staff_member_or_visitor(
    flags: JsonDict, people: list[str], rulebook: Rulebook
) -> None:
    assert "riddor" not in due(reported_incident(governance=flags, people=people), rulebook)


# --- complaints -------------------------------------------------------------------------------


def test_a_complaint_on_christmas_eve_is_acknowledged_after_the_bank_holidays(
    rulebook: Rulebook,
) -> None:
    event = complaint(received_at="2025-12-24T15:30:00Z")
    found = due(event, rulebook)
    assert list(found) == ["complaint_acknowledgement", "complaint_response"]
    acknowledgement = found["complaint_acknowledgement"]
    assert acknowledgement.due_at == utc(2025, 12, 31, 23, 59, 59)
    assert acknowledgement.statutory is StatutoryStatus.POLICY
    assert acknowledgement.reasons == ()
    assert found["complaint_response"].due_at == utc(2026, 1, 26, 23, 59, 59)


def test_a_complaint_received_on_a_known_day_only(rulebook: Rulebook) -> None:
    found = due(complaint(received_at="2025-12-24"), rulebook)
    assert found["complaint_acknowledgement"].clock_started_at == date(2025, 12, 24)
    assert found["complaint_acknowledgement"].due_at == utc(2025, 12, 31, 23, 59, 59)


def test_acknowledging_a_complaint_about_nhs_funded_care_is_statutory(rulebook: Rulebook) -> None:
    found = due(complaint(is_funded_by="nhs"), rulebook)
    acknowledgement = found["complaint_acknowledgement"]
    assert acknowledgement.statutory is StatutoryStatus.STATUTORY
    assert acknowledgement.reasons == (Fact("is_funded_by", "nhs"),)
    assert found["complaint_response"].statutory is StatutoryStatus.POLICY


# --- every obligation ----------------------------------------------------------------------


def test_obligations_name_the_event_and_where_it_happened(rulebook: Rulebook) -> None:
    event = pressure_ulcer_incident()
    found = obligations_for(event, rulebook)
    assert [obligation.kind for obligation in found] == [
        "cqc_notification",
        "duty_of_candour",
        "safeguarding_referral",
    ]
    for obligation in found:
        assert (obligation.event_id, obligation.event_type) == ("pu-2025-0042", "incident.reported")
        assert (obligation.provider_id, obligation.site_id, obligation.region) == (
            "harbour-care",
            "rosewood-house",
            "north-west",
        )
        assert obligation.due_at.tzinfo is UTC
    assert [str(reason) for reason in found[0].reasons] == [
        "governance.serious_injury = true",
        "governance.pressure_ulcer_grade = 3",
    ]


@pytest.mark.parametrize(
    "event",
    [
        audit(("Controlled drugs balanced", "no", "Register out by one tablet")),
        feedback(kind="concern", text="My father was not washed today."),
    ],
    ids=["audit", "feedback"],
)
def test_audits_and_feedback_make_no_obligation_due(
    event: AnyFactEvent, rulebook: Rulebook
) -> None:
    assert obligations_for(event, rulebook) == []


def test_a_provider_can_tailor_a_deadline(tmp_path: Path, rulebook: Rulebook) -> None:
    def twelve_hours(document: JsonDict) -> None:
        document["obligations"][0]["deadline"]["amount"] = 12

    tailored = load_rulebook(tailored_rules(tmp_path, "obligations.json", twelve_hours))
    event = reported_incident(governance={"police_involved": True})
    assert due(event, tailored)["cqc_notification"].due_at == REPORTED + timedelta(hours=12)
    assert due(event, rulebook)["cqc_notification"].due_at == REPORTED + timedelta(hours=24)
