"""Loading, validating and cross-checking the rule data files."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.learning.domain.obligation_rules import StatutoryStatus
from services.learning.domain.rulebook import (
    RULE_FILES,
    Rulebook,
    RulebookError,
    default_rules_directory,
    load_rulebook,
    parse_rulebook,
)
from services.learning.domain.working_days import DeadlineUnit, WorkingCalendar
from tests.unit.services.learning.domain.builders import JsonDict, tailored_rules

BRIEF_THEMES = {
    "falls", "medication", "pressure_damage", "safeguarding", "infection_control",
    "communication", "staffing", "record_keeping", "dignity", "nutrition", "behaviour",
    "missed_visits", "environment", "end_of_life", "good_practice",
}  # fmt: skip


@pytest.fixture(scope="module")
def rulebook() -> Rulebook:
    return load_rulebook()


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(RulebookError) as raised:
        load_rulebook(directory)
    return [str(problem) for problem in raised.value.problems]


# --- the shipped rule files ---------------------------------------------------------------


def test_the_shipped_rule_files_load(rulebook: Rulebook) -> None:
    assert set(rulebook.versions) == set(RULE_FILES)
    assert set(rulebook.themes) >= BRIEF_THEMES
    assert rulebook.calendar == WorkingCalendar("GB", "ENG", "Europe/London")


def test_saf_2023_has_34_quality_statements_under_five_key_questions(rulebook: Rulebook) -> None:
    framework = rulebook.frameworks["saf-2023"]
    counts = {question.id: len(question.statements) for question in framework.key_questions}
    assert counts == {"safe": 8, "effective": 6, "caring": 5, "responsive": 7, "well_led": 8}
    assert len(framework.statements) == 34
    assert framework.statements["safe.safeguarding"].title == "Safeguarding"
    assert framework.statements["safe.learning_culture"].title == "Learning culture"
    assert framework.verified and framework.status == "in_force"


def test_draft_2026_has_24_key_lines_marked_unverified(rulebook: Rulebook) -> None:
    framework = rulebook.frameworks["draft-2026"]
    counts = {question.id: len(question.statements) for question in framework.key_questions}
    assert counts == {"safe": 7, "effective": 4, "caring": 3, "responsive": 4, "well_led": 6}
    assert len(framework.statements) == 24
    assert not framework.verified
    assert framework.status == "draft"
    assert framework.item_kind == "key_line_of_enquiry"


def test_every_theme_maps_to_both_frameworks(rulebook: Rulebook) -> None:
    for theme_id in rulebook.themes:
        for framework_id in rulebook.frameworks:
            assert rulebook.quality_statements(theme_id, framework_id), (theme_id, framework_id)
    titles = [s.title for s in rulebook.quality_statements("medication", "saf-2023")]
    assert titles == ["Medicines optimisation"]
    draft = [s.title for s in rulebook.quality_statements("medication", "draft-2026")]
    assert draft == ["Safe medicines and treatments"]


def test_themes_map_to_lfpse_terms(rulebook: Rulebook) -> None:
    falls = rulebook.themes["falls"]
    assert [(term.list, term.term) for term in falls.lfpse] == [("safety_challenge", "Falls")]
    assert rulebook.lfpse.version == "v5"


@pytest.mark.parametrize(
    ("kind", "statutory", "amount", "unit"),
    [
        ("cqc_notification", StatutoryStatus.STATUTORY, 24, DeadlineUnit.HOURS),
        (
            "duty_of_candour",
            StatutoryStatus.STATUTORY_WORDING_POLICY_DEFAULT,
            10,
            DeadlineUnit.WORKING_DAYS,
        ),
        ("safeguarding_referral", StatutoryStatus.POLICY, 1, DeadlineUnit.WORKING_DAYS),
        ("riddor", StatutoryStatus.STATUTORY, 10, DeadlineUnit.CALENDAR_DAYS),
        ("complaint_acknowledgement", StatutoryStatus.POLICY, 3, DeadlineUnit.WORKING_DAYS),
        ("complaint_response", StatutoryStatus.POLICY, 20, DeadlineUnit.WORKING_DAYS),
    ],
)
def test_obligation_kinds_have_the_reference_defaults(
    rulebook: Rulebook, kind: str, statutory: StatutoryStatus, amount: int, unit: DeadlineUnit
) -> None:
    found = {item.id: item for item in rulebook.obligations}[kind]
    assert (found.statutory, found.deadline.amount, found.deadline.unit) == (
        statutory,
        amount,
        unit,
    )
    assert found.legal_reference


def test_the_cqc_deadline_keeps_the_words_of_the_law(rulebook: Rulebook) -> None:
    cqc = next(item for item in rulebook.obligations if item.id == "cqc_notification")
    assert cqc.deadline.statutory_wording == "without delay"


def test_a_rulebook_can_be_parsed_from_texts_without_files() -> None:
    shipped = default_rules_directory()
    texts = {name: shipped.joinpath(name).read_text(encoding="utf-8") for name in RULE_FILES}
    assert parse_rulebook(texts).versions == load_rulebook().versions


# --- invalid rule files are rejected with file and field path ----------------------------

Change = Callable[[JsonDict], None]


def set_at(*path: str | int, value: Any) -> Change:
    def change(document: JsonDict) -> None:
        target: Any = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


INVALID: list[tuple[str, str, Change, str]] = [
    (
        "unknown theme in a rule",
        "theme_rules.json",
        set_at("field_rules", 0, "theme", value="fallz"),
        "theme_rules.json: field_rules[0].theme: unknown theme 'fallz'",
    ),
    (
        "unknown quality statement",
        "taxonomy.json",
        set_at("themes", 0, "quality_statements", "saf-2023", value=["safe.falls"]),
        "taxonomy.json: themes[0].quality_statements.saf-2023[0]: unknown quality statement "
        "'safe.falls' in 'saf-2023'",
    ),
    (
        "theme not mapped to a framework",
        "taxonomy.json",
        set_at(
            "themes", 1, "quality_statements", value={"saf-2023": ["safe.medicines_optimisation"]}
        ),
        "taxonomy.json: themes[1].quality_statements: theme 'medication' is not mapped to "
        "framework 'draft-2026'",
    ),
    (
        "unknown LFPSE term",
        "taxonomy.json",
        set_at("themes", 0, "lfpse", 0, "term", value="Tumbles"),
        "taxonomy.json: themes[0].lfpse[0].term: 'Tumbles' is not in LFPSE safety_challenge",
    ),
    (
        "repeated theme id",
        "taxonomy.json",
        set_at("themes", 1, "id", value="falls"),
        "taxonomy.json: themes[1].id: theme id 'falls' is repeated",
    ),
    (
        "enum value the field cannot hold",
        "theme_rules.json",
        set_at("field_rules", 0, "when", value={"field": "category", "equals": "fal"}),
        "theme_rules.json: field_rules[0].when.equals: 'fal' is not a possible value of 'category'",
    ),
    (
        "unknown field",
        "theme_rules.json",
        set_at("field_rules", 0, "when", value={"field": "governance.fell", "equals": True}),
        "theme_rules.json: field_rules[0].when.field: Incident has no field 'governance.fell'",
    ),
    (
        "condition on free text",
        "theme_rules.json",
        set_at("field_rules", 0, "when", value={"field": "description", "present": True}),
        "theme_rules.json: field_rules[0].when.field: 'description' is free text",
    ),
    (
        "value nested in a group",
        "theme_rules.json",
        set_at(
            "field_rules",
            0,
            "when",
            value={"all": [{"field": "category", "equals": "fall"}, {"field": "x", "equals": 1}]},
        ),
        "theme_rules.json: field_rules[0].when.all[1].field: Incident has no field 'x'",
    ),
    (
        "two operators",
        "theme_rules.json",
        set_at(
            "field_rules", 0, "when", value={"field": "category", "equals": "fall", "present": True}
        ),
        "theme_rules.json: field_rules[0].when: Value error, 'field' needs exactly one of",
    ),
    (
        "at_least on a non-number",
        "theme_rules.json",
        set_at("field_rules", 0, "when", value={"field": "category", "at_least": 3}),
        "theme_rules.json: field_rules[0].when.at_least: 'category' is not a number",
    ),
    (
        "unknown event type",
        "theme_rules.json",
        set_at("field_rules", 0, "event_type", value="incident.filed"),
        "theme_rules.json: field_rules[0].event_type: Value error, unknown event type",
    ),
    (
        "invalid regular expression",
        "theme_rules.json",
        set_at("text_rules", 0, "patterns", value=["(unclosed"]),
        "theme_rules.json: text_rules[0].patterns[0]: Value error, not a valid regular expression",
    ),
    (
        "text rule with nothing to find",
        "theme_rules.json",
        set_at("text_rules", 0, value={"id": "text-empty", "theme": "falls"}),
        "theme_rules.json: text_rules[0]: Value error, a text rule needs at least one keyword",
    ),
    (
        "keyword with regex characters",
        "theme_rules.json",
        set_at("text_rules", 0, "keywords", value=["fall.*"]),
        "theme_rules.json: text_rules[0].keywords[0]: String should match pattern",
    ),
    (
        "text source that is not text",
        "theme_rules.json",
        set_at("text_sources", "incident.reported", value=[{"path": "category"}]),
        'theme_rules.json: text_sources["incident.reported"][0].path: '
        "'category' is not a text field",
    ),
    (
        "where on a path outside a list",
        "theme_rules.json",
        set_at(
            "text_sources",
            "complaint.received",
            value=[{"path": "summary", "where": {"field": "category", "equals": "other"}}],
        ),
        'theme_rules.json: text_sources["complaint.received"][0].where: '
        "'where' needs a path through a list",
    ),
    (
        "repeated rule id",
        "theme_rules.json",
        set_at("field_rules", 1, "id", value="incident-category-fall"),
        "theme_rules.json: field_rules[1].id: rule id 'incident-category-fall' is repeated",
    ),
    (
        "unknown deadline unit",
        "obligations.json",
        set_at("obligations", 0, "deadline", "unit", value="fortnights"),
        "obligations.json: obligations[0].deadline.unit: Input should be 'hours', "
        "'calendar_days' or 'working_days'",
    ),
    (
        "negative deadline",
        "obligations.json",
        set_at("obligations", 0, "deadline", "amount", value=-1),
        "obligations.json: obligations[0].deadline.amount: Input should be greater than or equal",
    ),
    (
        "unknown statutory status",
        "obligations.json",
        set_at("obligations", 0, "statutory", value="mandatory"),
        "obligations.json: obligations[0].statutory: Input should be 'statutory', 'policy' or",
    ),
    (
        "clock starting at a field that is not a date",
        "obligations.json",
        set_at("obligations", 0, "triggers", 0, "clock_starts", value="category"),
        "obligations.json: obligations[0].triggers[0].clock_starts: 'category' is not a required "
        "date or datetime field",
    ),
    (
        "clock starting at an optional date",
        "obligations.json",
        set_at("obligations", 5, "triggers", 0, "clock_starts", value="event_date"),
        "obligations.json: obligations[5].triggers[0].clock_starts: 'event_date' is not a "
        "required date or datetime field",
    ),
    (
        "trigger condition naming a wrong value",
        "obligations.json",
        set_at(
            "obligations",
            1,
            "triggers",
            0,
            "when",
            value={"field": "physical_harm", "one_of": ["moderate", "serious"]},
        ),
        "obligations.json: obligations[1].triggers[0].when.one_of[1]: 'serious' is not a "
        "possible value of 'physical_harm'",
    ),
    (
        "unknown bank-holiday subdivision",
        "obligations.json",
        set_at("working_calendar", "subdivision", value="XYZ"),
        "obligations.json: working_calendar: Entity `GB` does not have subdivision XYZ",
    ),
    (
        "unknown field in a file",
        "obligations.json",
        set_at("obligations", 0, "deadline", "within", value=3),
        "obligations.json: obligations[0].deadline.within: Extra inputs are not permitted",
    ),
    (
        "statement under the wrong key question",
        "frameworks.json",
        set_at("frameworks", 0, "key_questions", 0, "statements", 0, "id", value="caring.culture"),
        "frameworks.json: frameworks[0].key_questions[0].statements[0].id: statement id "
        "'caring.culture' must start with 'safe' and a dot",
    ),
    (
        "unsupported schema version",
        "lfpse.json",
        set_at("schema_version", value=2),
        "lfpse.json: schema_version: Input should be 1",
    ),
]


@pytest.mark.parametrize(
    ("file_name", "change", "expected"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_rule_files_are_rejected_with_file_and_field_path(
    tmp_path: Path, file_name: str, change: Change, expected: str
) -> None:
    problems = problems_of(tailored_rules(tmp_path, file_name, change))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def two_mistakes(document: JsonDict) -> None:
        document["field_rules"][0]["theme"] = "fallz"
        document["text_rules"][0]["theme"] = "tumbles"

    problems = problems_of(tailored_rules(tmp_path, "theme_rules.json", two_mistakes))
    assert problems == [
        "theme_rules.json: field_rules[0].theme: unknown theme 'fallz'",
        "theme_rules.json: text_rules[0].theme: unknown theme 'tumbles'",
    ]


def test_the_error_message_lists_the_problems(tmp_path: Path) -> None:
    directory = tailored_rules(
        tmp_path, "theme_rules.json", set_at("field_rules", 0, "theme", value="x")
    )
    with pytest.raises(RulebookError, match=r"field_rules\[0\]\.theme: unknown theme 'x'"):
        load_rulebook(directory)


def test_malformed_json_names_the_file(tmp_path: Path) -> None:
    directory = tailored_rules(tmp_path, "taxonomy.json", lambda document: None)
    (directory / "taxonomy.json").write_text('{"schema_version": 1,')
    problems = problems_of(directory)
    assert len(problems) == 1
    assert problems[0].startswith("taxonomy.json: (whole file): Invalid JSON")


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    directory = tailored_rules(tmp_path, "taxonomy.json", lambda document: None)
    (directory / "obligations.json").unlink()
    problems = problems_of(directory)
    assert problems == [f"obligations.json: (whole file): file not found in {directory}"]


def test_parse_rulebook_reports_a_file_it_was_not_given() -> None:
    with pytest.raises(RulebookError, match=r"frameworks\.json: \(whole file\): file not given"):
        parse_rulebook({})


def test_a_tailored_rulebook_is_used_as_given(tmp_path: Path) -> None:
    def tighter(document: JsonDict) -> None:
        document["version"] = "acme-2026.2"
        document["obligations"][0]["deadline"]["amount"] = 12

    rulebook = load_rulebook(tailored_rules(tmp_path, "obligations.json", tighter))
    assert rulebook.versions["obligations.json"] == "acme-2026.2"
    assert rulebook.obligations[0].deadline.amount == 12


def test_changes_never_reach_the_shipped_files(tmp_path: Path) -> None:
    tailored_rules(tmp_path, "obligations.json", set_at("version", value="changed"))
    assert load_rulebook().versions["obligations.json"] == "2025.1"
