"""The ``incident.reported`` contract: round trips, LFPSE codes and cross-field rules."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events import (
    GovernanceFlags,
    IncidentCategory,
    IncidentReported,
    PhysicalHarm,
    UnstageablePressureUlcer,
    sensitive_fields,
)
from tests.unit.shared.events.examples import (
    as_json_dict,
    assert_only_errors_at,
    changed,
    error_locs,
    fall_incident,
    medication_incident,
    pressure_ulcer_incident,
    without,
)

INCIDENTS = [fall_incident, medication_incident, pressure_ulcer_incident]


def fatal_fall(**governance: Any) -> dict[str, Any]:
    raw = changed(fall_incident(), ["data", "physical_harm"], "fatal")
    raw["data"]["governance"] = governance
    return raw


@pytest.mark.parametrize("factory", INCIDENTS, ids=lambda factory: factory.__name__)
def test_incidents_round_trip_through_json(factory: Any) -> None:
    event = factory()
    wire = event.to_json_bytes()
    parsed = IncidentReported.from_json_bytes(wire)
    assert parsed == event
    assert parsed.to_json_bytes() == wire


def test_a_death_with_fatal_harm_and_the_death_flag_is_valid() -> None:
    raw = fatal_fall(death=True, police_involved=True)
    raw["data"]["category"] = "death"
    event = IncidentReported.model_validate(raw)
    assert event.data.governance.death
    assert event.data.physical_harm is PhysicalHarm.FATAL


@pytest.mark.parametrize("grade", [1, 4, "unstageable", "deep_tissue_injury"])
def test_pressure_ulcer_grades_accept_numbers_and_ungradeable_categories(grade: object) -> None:
    raw = changed(pressure_ulcer_incident(), ["data", "governance", "pressure_ulcer_grade"], grade)
    flags = IncidentReported.model_validate(raw).data.governance
    assert flags.pressure_ulcer_grade == grade
    if isinstance(grade, str):
        assert isinstance(flags.pressure_ulcer_grade, UnstageablePressureUlcer)


def test_times_with_offsets_are_normalised_to_utc() -> None:
    bst = timezone(timedelta(hours=1))
    raw = changed(fall_incident(), ["data", "occurred_at"], "2025-03-14T03:00:00+01:00")
    event = IncidentReported.model_validate(raw)
    assert event.data.occurred_at == datetime(2025, 3, 14, 2, 0, tzinfo=UTC)
    assert event.data.occurred_at == datetime(2025, 3, 14, 3, 0, tzinfo=bst)
    assert event.data.occurred_at.tzinfo == UTC


def test_governance_flags_default_to_false() -> None:
    assert not any(v for v in GovernanceFlags().model_dump().values())
    assert fall_incident().data.governance == GovernanceFlags()


def test_description_and_actions_are_marked_sensitive() -> None:
    assert sensitive_fields(IncidentReported) == ["data.description", "data.immediate_actions"]


@pytest.mark.parametrize(
    ("path", "value", "expected_loc"),
    [
        (["data", "category"], "slip", ("data", "category")),
        (["data", "physical_harm"], "catastrophic", ("data", "physical_harm")),
        (["data", "psychological_harm"], "fatal", ("data", "psychological_harm")),
        (["data", "reporter_role"], "volunteer", ("data", "reporter_role")),
        (["data", "location_detail"], "room 12", ("data", "location_detail")),
        (["data", "medication_problem"], "wrong_time", ("data", "medication_problem")),
        (["data", "occurred_at"], "2025-03-14T02:15:00", ("data", "occurred_at")),
        (["data", "reported_at"], "yesterday", ("data", "reported_at")),
        (["data", "occurred_at"], "2025-03-14T03:00:00Z", ("data", "occurred_at")),
        (["data", "people_involved"], [], ("data", "people_involved")),
        (
            ["data", "people_involved", 0, "person_ref"],
            "Mary Smith",
            ("data", "people_involved", 0, "person_ref"),
        ),
        (
            ["data", "people_involved", 0, "person_ref"],
            "MarySmith",
            ("data", "people_involved", 0, "person_ref"),
        ),
        (
            ["data", "people_involved", 0, "person_ref"],
            "SU-1042; DROP",
            ("data", "people_involved", 0, "person_ref"),
        ),
        (["data", "people_involved", 0, "role"], "relative", ("data", "people_involved", 0)),
        (["data", "description"], "", ("data", "description")),
        (["data", "description"], "x" * 5001, ("data", "description")),
        (["data", "immediate_actions"], ["x" * 201], ("data", "immediate_actions", 0)),
        (["data", "involved_agents"], ["medications", "medications"], ("data", "involved_agents")),
        (
            ["data", "involved_agents"],
            ["none_of_the_above", "devices"],
            ("data", "involved_agents"),
        ),
        (
            ["data", "governance", "pressure_ulcer_grade"],
            2,
            ("data", "governance", "pressure_ulcer_grade"),
        ),
        (["data", "governance", "death"], True, ("data", "physical_harm")),
        (["data", "governance", "statutory"], True, ("data", "governance", "statutory")),
        (["data", "reporter_name"], "J. Bloggs", ("data", "reporter_name")),
    ],
)
def test_invalid_incidents_are_rejected_at_the_field(
    path: list[str | int], value: object, expected_loc: tuple[str | int, ...]
) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(changed(fall_incident(), path, value))
    assert_only_errors_at(caught.value, expected_loc)


@pytest.mark.parametrize(
    "path",
    [["data", field] for field in ("occurred_at", "category", "physical_harm", "description")],
)
def test_missing_incident_fields_are_reported(path: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(without(fall_incident(), path))
    assert error_locs(caught.value) == [tuple(path)]
    assert caught.value.errors()[0]["type"] == "missing"


@pytest.mark.parametrize(
    ("raw", "expected_loc", "message"),
    [
        (fatal_fall(), ("data", "governance", "death"), "governance.death must be true"),
        (
            changed(fall_incident(), ["data", "category"], "death"),
            ("data", "governance", "death"),
            "category is 'death'",
        ),
        (
            changed(fall_incident(), ["data", "governance"], {"death": True}),
            ("data", "physical_harm"),
            "physical_harm must be 'fatal'",
        ),
    ],
)
def test_death_flag_and_fatal_harm_must_agree(
    raw: dict[str, Any], expected_loc: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(raw)
    [error] = caught.value.errors()
    assert error["loc"] == expected_loc
    assert error["type"] == "consistency"
    assert message in error["msg"]


def test_name_like_references_get_a_clear_message() -> None:
    raw = changed(fall_incident(), ["data", "people_involved", 0, "person_ref"], "Mary Smith")
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(raw)
    [error] = caught.value.errors()
    assert error["type"] == "pseudonymous_ref"
    assert "personal name" in error["msg"]


def test_several_inconsistencies_are_reported_together() -> None:
    raw = as_json_dict(fall_incident())
    raw["data"]["occurred_at"] = "2025-03-15T00:00:00Z"
    raw["data"]["governance"] = {"death": True, "pressure_ulcer_grade": 3}
    with pytest.raises(ValidationError) as caught:
        IncidentReported.model_validate(raw)
    assert error_locs(caught.value) == [
        ("data", "occurred_at"),
        ("data", "physical_harm"),
        ("data", "governance", "pressure_ulcer_grade"),
    ]


def test_category_codes_cover_the_common_care_home_incidents() -> None:
    common = {"fall", "medication", "pressure_damage", "skin_damage", "behaviour", "safeguarding"}
    assert common <= {category.value for category in IncidentCategory}
