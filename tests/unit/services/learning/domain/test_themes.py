"""Classifying events into themes by structured fields and by words in free text."""

import re

import pytest

from services.learning.domain.rulebook import Rulebook, load_rulebook
from services.learning.domain.theme_rules import TextRule
from services.learning.domain.themes import ThemeMatch, classify
from shared.events import AnyFactEvent
from tests.unit.services.learning.domain.builders import audit, complaint, feedback, incident
from tests.unit.shared.events.examples import (
    all_examples,
    audit_completed,
    complaint_received,
    fall_incident,
    feedback_received,
    medication_incident,
    pressure_ulcer_incident,
)

FIELD_PATH = re.compile(r"[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)*")
"""What a recorded field path looks like: ``items[2].comment``; free text never does."""


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook()


def themes(event: AnyFactEvent, rulebook: Rulebook) -> list[str]:
    return [match.theme_id for match in classify(event, rulebook)]


def match_for(event: AnyFactEvent, rulebook: Rulebook, theme_id: str) -> ThemeMatch:
    return next(match for match in classify(event, rulebook) if match.theme_id == theme_id)


def text_rule(rulebook: Rulebook, rule_id: str) -> TextRule:
    return next(rule for rule in rulebook.text_rules if rule.id == rule_id)


def quiet_incident(description: str) -> AnyFactEvent:
    """An incident whose structured fields point to no theme, so only its text counts."""
    return incident(category="other", description=description)


# --- the shared examples -------------------------------------------------------------------


def test_an_unwitnessed_fall_is_about_falls(rulebook: Rulebook) -> None:
    assert classify(fall_incident(), rulebook) == [
        ThemeMatch(
            theme_id="falls",
            rule_id="incident-category-fall",
            source="field",
            field_paths=("category",),
            also_matched=("text-falls-found-on-floor",),
        )
    ]


def test_a_missed_dose_is_about_medication_and_records(rulebook: Rulebook) -> None:
    matches = classify(medication_incident(), rulebook)
    assert [match.theme_id for match in matches] == ["medication", "record_keeping"]
    medication, records = matches
    assert medication.rule_id == "incident-category-medication"
    assert {"incident-medication-problem", "incident-agent-medications"} <= set(
        medication.also_matched
    )
    assert (records.rule_id, records.source, records.field_paths) == (
        "text-record-keeping",
        "text",
        ("description",),
    )


def test_a_grade_3_pressure_ulcer_with_a_safeguarding_concern(rulebook: Rulebook) -> None:
    assert themes(pressure_ulcer_incident(), rulebook) == ["pressure_damage", "safeguarding"]
    safeguarding = match_for(pressure_ulcer_incident(), rulebook, "safeguarding")
    assert safeguarding.field_paths == ("governance.safeguarding_concern",)


def test_a_complaint_about_not_being_told_of_a_hospital_admission(rulebook: Rulebook) -> None:
    assert themes(complaint_received(), rulebook) == ["communication", "transitions"]


def test_a_medication_audit_with_a_failed_item(rulebook: Rulebook) -> None:
    match = match_for(audit_completed(), rulebook, "medication")
    assert (match.rule_id, match.field_paths) == (
        "audit-medication-failed",
        ("audit_type", "items[0].answer"),
    )
    assert themes(audit_completed(), rulebook) == ["medication"]


def test_a_compliment_is_good_practice(rulebook: Rulebook) -> None:
    assert themes(feedback_received(), rulebook) == ["good_practice", "activities"]
    activities = match_for(feedback_received(), rulebook, "activities")
    assert activities.field_paths == ("text", "topics[0]")


@pytest.mark.parametrize("event", all_examples(), ids=lambda event: str(event.id))
def test_classification_is_deterministic_and_lists_each_theme_once(
    event: AnyFactEvent, rulebook: Rulebook
) -> None:
    first = classify(event, rulebook)
    assert first == classify(event, rulebook)
    found = [match.theme_id for match in first]
    assert len(found) == len(set(found))
    assert set(found) <= set(rulebook.themes)


@pytest.mark.parametrize("event", all_examples(), ids=lambda event: str(event.id))
def test_matches_record_rule_ids_and_field_paths_but_never_free_text(
    event: AnyFactEvent, rulebook: Rulebook
) -> None:
    rule_ids = {rule.id for rule in rulebook.field_rules} | {
        rule.id for rule in rulebook.text_rules
    }
    for match in classify(event, rulebook):
        assert match.theme_id in rulebook.themes
        assert {match.rule_id, *match.also_matched} <= rule_ids
        assert all(FIELD_PATH.fullmatch(path) for path in match.field_paths), match.field_paths


# --- structured-field rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "theme_id", "rule_id", "paths"),
    [
        (incident(category="fall"), "falls", "incident-category-fall", ("category",)),
        (
            incident(category="other", medication_problem="omitted", description="Dose late."),
            "medication",
            "incident-medication-problem",
            ("medication_problem",),
        ),
        (
            incident(category="other", involved_agents=["devices"], description="Bed broke."),
            "equipment",
            "incident-agent-devices",
            ("involved_agents[0]",),
        ),
        (
            incident(
                category="other",
                description="Concern raised.",
                governance={"abuse_or_allegation": True},
            ),
            "safeguarding",
            "incident-safeguarding-flags",
            ("governance.abuse_or_allegation",),
        ),
        (
            complaint(category="missed_or_late_visit", summary="Nobody came on Sunday."),
            "missed_visits",
            "complaint-category-missed-or-late-visit",
            ("category",),
        ),
        (
            audit(("Hoist slings checked", "no", None), audit_type="health_and_safety"),
            "environment",
            "audit-environment-failed",
            ("audit_type", "items[0].answer"),
        ),
        (
            feedback(kind="good_practice", text="Night team handover was clear."),
            "good_practice",
            "feedback-kind-good-practice",
            ("kind",),
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_structured_fields_point_to_themes(
    event: AnyFactEvent, theme_id: str, rule_id: str, paths: tuple[str, ...], rulebook: Rulebook
) -> None:
    match = match_for(event, rulebook, theme_id)
    assert (match.rule_id, match.source, match.field_paths) == (rule_id, "field", paths)


def test_field_rules_come_before_text_rules(rulebook: Rulebook) -> None:
    event = incident(category="fall", description="Staff were short staffed on nights.")
    assert [match.source for match in classify(event, rulebook)] == ["field", "text"]
    assert themes(event, rulebook) == ["falls", "staffing"]


def test_an_audit_that_passed_has_no_audit_theme(rulebook: Rulebook) -> None:
    passed = audit(
        ("MAR charts signed", "yes", "All signed"), ("PRN protocols", "not_applicable", None)
    )
    assert classify(passed, rulebook) == []


def test_audit_text_is_read_only_on_failed_items(rulebook: Rulebook) -> None:
    event = audit(
        ("Hoist serviced in the last six months", "yes", "Hoist serviced in March"),
        ("Fire doors close fully", "no", "Sling stored in the corridor"),
        audit_type="policy_review",
    )
    equipment = match_for(event, rulebook, "equipment")
    assert equipment.field_paths == ("items[1].comment",)
    environment = match_for(event, rulebook, "environment")
    assert environment.field_paths == ("items[1].question",)


def test_a_feedback_concern_is_classified_by_its_text(rulebook: Rulebook) -> None:
    event = feedback(
        kind="concern", rating=2, text="Mum's room smelt and the food was cold.", topics=[]
    )
    assert themes(event, rulebook) == ["nutrition", "environment"]


def test_good_practice_words_are_read_in_feedback_only(rulebook: Rulebook) -> None:
    event = complaint(summary="Thank you for nothing: the staff were lovely to everyone else.")
    assert "good_practice" not in themes(event, rulebook)


# --- free-text rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("description", "theme_id", "rule_id"),
    [
        ("Resident found on the floor by the bed.", "falls", "text-falls-found-on-floor"),
        ("RESIDENT FOUND LYING ON HER BEDROOM FLOOR.", "falls", "text-falls-found-on-floor"),
        ("Unwitnessed fall in the lounge.", "falls", "text-falls-found-on-floor"),
        ("She fell while walking to the toilet.", "falls", "text-falls-fell"),
        ("Missed dose of Parkinson's medicine.", "medication", "text-medication-dose"),
        ("Gaps on the mar Chart for Tuesday.", "medication", "text-medication-records"),
        ("Bruising noted to the left forearm.", "pressure_damage", "text-skin-integrity"),
        ("Unexplained bruising to both arms.", "safeguarding", "text-safeguarding-unexplained"),
        ("New Grade 2 area on the left heel.", "pressure_damage", "text-pressure-ulcer"),
        ("He choked on a piece of toast.", "nutrition", "text-nutrition"),
        ("Agency staff did not know the fire procedure.", "staffing", "text-staffing"),
        ("The unit was short-staffed all weekend.", "staffing", "text-staffing"),
        ("Repositioning was not documented overnight.", "record_keeping", "text-record-keeping"),
        ("Left in an undignified position in the hall.", "dignity", "text-dignity"),
        ("An outbreak of D&V on the first floor.", "infection_control", "text-infection"),
    ],
)
def test_text_rules_find_words_case_insensitively(
    description: str, theme_id: str, rule_id: str, rulebook: Rulebook
) -> None:
    match = match_for(quiet_incident(description), rulebook, theme_id)
    assert rule_id in (match.rule_id, *match.also_matched)
    assert match.source == "text"
    assert match.field_paths == ("description",)


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [
        ("text-falls-fell", "Mr Fellows visited his wife."),
        ("text-falls-fell", "She fell asleep in the lounge after lunch."),
        ("text-nutrition", "Artichokes grown in the garden."),
        ("text-fees", "Feedback from relatives was collected."),
        ("text-infection", "Fluid intake recorded."),
        ("text-pressure-ulcer", "Room 20 is on grade 20 of the survey."),
        ("text-medication-records", "Marchant Ward moved in March."),
        ("text-skin-integrity", "Embruised is not a word we use."),
        ("text-end-of-life", "Staff treated her with respect."),
    ],
)
def test_text_rules_do_not_match_inside_other_words(
    rule_id: str, text: str, rulebook: Rulebook
) -> None:
    assert not text_rule(rulebook, rule_id).found_in(text)


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [
        ("text-nutrition", "Choking risk"),
        ("text-nutrition", "CHOKED on a biscuit"),
        ("text-skin-integrity", "bruised"),
        ("text-staffing", "SHORT   STAFFED"),
        ("text-medication-records", "two MAR charts unsigned"),
        ("text-end-of-life", "ReSPECT form reviewed"),
        ("text-communication", "They didn\u2019t call us back."),
    ],
)
def test_text_rules_match_word_endings_spacing_and_case(
    rule_id: str, text: str, rulebook: Rulebook
) -> None:
    assert text_rule(rulebook, rule_id).found_in(text)


def test_every_text_path_is_reported_once(rulebook: Rulebook) -> None:
    event = complaint(
        category="other",
        summary="Her hearing aid went missing and the laundry lost her cardigan.",
        desired_outcome="Replace the cardigan lost in the laundry.",
    )
    match = match_for(event, rulebook, "property")
    assert match.field_paths == ("summary", "desired_outcome")
