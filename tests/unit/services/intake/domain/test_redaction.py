"""Masking NHS numbers, phone numbers, emails and postcodes in free text before publishing."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from services.intake.domain.redaction import (
    _DETECTORS,
    FieldRedaction,
    Finding,
    RedactionKind,
    RedactionResult,
    _leaves,
    may_hold_identifiers,
    nhs_number_is_valid,
    redact_fields,
    redact_text,
    redaction_summary,
    sensitive_texts,
)

NHS = RedactionKind.NHS_NUMBER
PHONE = RedactionKind.PHONE
EMAIL = RedactionKind.EMAIL
POSTCODE = RedactionKind.POSTCODE


def masked_values(text: str) -> list[tuple[RedactionKind, str]]:
    """What was masked, read back from the original text through the findings' spans."""
    return [(f.kind, text[f.start : f.end]) for f in redact_text(text).findings]


def assert_masked_whole(text: str, value: str, kind: RedactionKind) -> None:
    result = redact_text(text)
    assert masked_values(text) == [(kind, value)]
    assert result.text == text.replace(value, kind.mask)


def assert_unchanged(text: str) -> None:
    assert redact_text(text) == RedactionResult(text=text, findings=())


# --- NHS numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "digits",
    [
        "9434765919",
        "4010232137",
        "4505577104",
        "9990000018",
        "4000000020",  # weighted sum divisible by 11: check digit 0
        "7230563011",
        "2914177763",
    ],
)
def test_nhs_number_check_digit_accepts_valid_numbers(digits: str) -> None:
    assert nhs_number_is_valid(digits)


@pytest.mark.parametrize(
    "digits",
    [
        "9434765918",  # wrong check digit
        "9434765910",
        "4010232138",
        "1234567890",  # first nine digits give check value 10: no valid number
        "123456789",  # too short
        "94347659190",  # too long
        "943 476 5919",  # separators are the caller's business
        "943476591x",
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # non-ASCII digits
    ],
)
def test_nhs_number_check_digit_rejects_invalid_input(digits: str) -> None:
    assert not nhs_number_is_valid(digits)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NHS number 9434765919 on file", "9434765919"),
        ("NHS no. 943 476 5919.", "943 476 5919"),
        ("nhs: 943-476-5919", "943-476-5919"),
        ("9434765919", "9434765919"),
        ("(943 476 5919)", "943 476 5919"),
        ("NHS9434765919 recorded", "9434765919"),
        ("checked 401 023 2137 against MAR chart", "401 023 2137"),
        ("number 4000000020 ends in a zero check digit", "4000000020"),
        ("ID 999 000 0018\nnext line", "999 000 0018"),
    ],
)
def test_valid_nhs_numbers_are_masked(text: str, value: str) -> None:
    assert_masked_whole(text, value, NHS)


@pytest.mark.parametrize(
    "text",
    [
        "NHS number 943 476 5918 was wrong",  # fails the check digit
        "NHS number 9434765918",
        "ref 1234567890",  # no valid check digit exists for these nine digits
        "order 94347659190",  # longer digit run
        "order 19434765919",
        "serial 9434765919123",
        "943 476-5919 mixed separators",
        "943-4765919",
        "943  476  5919",
        "94 347 65919",
        "only nine 943476591",
    ],
)
def test_non_nhs_ten_digit_numbers_are_left_alone(text: str) -> None:
    assert_unchanged(text)


def test_a_failed_check_digit_does_not_hide_a_valid_number_next_to_it() -> None:
    text = "9434765918 then 9434765919"
    assert masked_values(text) == [(NHS, "9434765919")]


def test_ten_digits_that_are_both_a_valid_nhs_number_and_a_phone_shape_are_an_nhs_number() -> None:
    assert nhs_number_is_valid("0123456789")
    assert masked_values("call 0123456789") == [(NHS, "0123456789")]


# --- Phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "07700 900123",
        "07700900123",
        "07700 900 123",
        "07700-900-123",
        "+44 7700 900123",
        "+447700900123",
        "+44 (0) 7700 900123",
        "+44(0)7700 900123",
        "0044 7700 900123",
        "(020) 7946 0958",
        "020 7946 0958",
        "02079460958",
        "0207 946 0958",
        "+44 20 7946 0958",
        "+44 (0)20 7946 0958",
        "0161 496 0000",
        "(0161) 496 0000",
        "0161-496-0000",
        "0113 496 0000",
        "01632 960123",
        "(01632) 960123",
        "01632 960 123",
        "01632 96012",
        "016977 3456",
        "0300 123 4567",
        "0345 678 9012",
        "07700\u00a0900123",
    ],
)
def test_uk_phone_numbers_are_masked(value: str) -> None:
    assert_masked_whole(f"Daughter asked to be called on {value} after 6pm.", value, PHONE)


@pytest.mark.parametrize(
    "value",
    ["07700 900123", "+44 7700 900123", "(020) 7946 0958"],
)
@pytest.mark.parametrize("template", ["{}", "tel:{}", "tel {}.", "({})", "{}, or", "x\n{}\n"])
def test_phone_numbers_are_masked_wherever_they_sit(value: str, template: str) -> None:
    assert_masked_whole(template.format(value), value, PHONE)


@pytest.mark.parametrize(
    "text",
    [
        "Fall on 12/03/2025 at 10:30",
        "Seen 01/02/2025 and 03/04/2025",
        "Dated 01-02-2025 10:30",
        "Date 2025-03-12T10:30:00Z",
        "Date 01.02.2025",
        "Obs at 0730 1130 1530 and 1930",
        "Observations at 07:30, 11:30 and 15:30",
        "Resident moved to room 0123",
        "Room 12, bed 3, bay 4",
        "Called 999 then 111",
        "Gave 2 x 500mg at 0800 hours",
        "Phone extension 0161",
        "Too long 077009001234",
        "Glued 907700900123",
        "Not UK 08 1234 5678 5",
        "Weight 07.700 kg",
    ],
)
def test_dates_times_and_short_numbers_are_not_phone_numbers(text: str) -> None:
    assert_unchanged(text)


# --- Email addresses -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "jane.doe@example.com",
        "j.doe+care@example.co.uk",
        "JANE_DOE@EXAMPLE.ORG",
        "first-last@sub.domain.nhs.net",
        "07700900123@example.com",  # a phone number as local part is still one email
        "a@b.io",
    ],
)
def test_email_addresses_are_masked(value: str) -> None:
    assert_masked_whole(f"Complaint sent from <{value}> yesterday", value, EMAIL)


@pytest.mark.parametrize(
    "text",
    [
        "emailed jane at example dot com",
        "tagged @carehome on social media",
        "user@localhost",
        "sent to manager@ the office",
        "ratio 2@3",
    ],
)
def test_things_that_are_not_email_addresses_are_left_alone(text: str) -> None:
    assert_unchanged(text)


# --- Postcodes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "SW1A 1AA",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "EC1A 1BB",
        "W1A 0AX",
        "LS1 4AP",
        "SW1A1AA",
        "B338TH",
        "sw1a 1aa",
        "m1 1ae",
        "b338th",
        "Ec1a 1bB",
        "GIR 0AA",
        "B12 1ST",  # an uppercase ordinal-looking inward code is still a postcode
    ],
)
def test_uk_postcodes_are_masked(value: str) -> None:
    assert_masked_whole(f"Resident's son lives at {value}, near the home.", value, POSTCODE)


@pytest.mark.parametrize(
    "text",
    [
        "The quick brown fox jumps over the lazy dog",
        "Gave vitamin B12 injection",
        "Vitamin b12 1st dose given",  # lowercase ordinal: English, not an inward code
        "Flat B2 2nd floor",
        "Ward A1 3rd time today",
        "Bay C4 4th bed",
        "covid19 booster",
        "Score 10 out of 10, NEWS2 of 3",
        "Q1 1AA starts with a letter no postcode uses",
        "AB1 1CI uses letters no inward code uses",
        "XSW1A 1AA",  # glued to a letter
        "SW1A 1AAX",
        "SW1A 1AA9",
        "SW1A  1AA",  # two spaces
        "2x 5mg tablets at 5pm",
        "Reference ABC123",
    ],
)
def test_ordinary_words_and_codes_are_not_postcodes(text: str) -> None:
    assert_unchanged(text)


# --- Whole texts, positions and ordering -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Resident SU-1042 slipped in the lounge; no injury observed.",
        "Staff ST-0042 gave paracetamol 500mg at 14:00 on 12/03/2025.",
        "Audit item 12: 3 of 4 care plans reviewed within 28 days.",
        "Family very happy with the care :) 10/10 would recommend!",
        "Fall in room 12 at 02:15; GP called, review at 09:00.",
    ],
)
def test_text_without_identifiers_is_unchanged_and_has_no_findings(text: str) -> None:
    assert_unchanged(text)


def test_findings_give_positions_in_the_original_text() -> None:
    text = "Call 07700 900123 or jo@example.com; NHS 943 476 5919, home M1 1AE."
    result = redact_text(text)
    assert result.findings == (
        Finding(PHONE, 5, 17),
        Finding(EMAIL, 21, 35),
        Finding(NHS, 41, 53),
        Finding(POSTCODE, 60, 66),
    )
    assert result.text == "Call [phone] or [email]; NHS [NHS number], home [postcode]."
    assert dict(result.counts) == {EMAIL: 1, NHS: 1, PHONE: 1, POSTCODE: 1}


def test_findings_are_sorted_and_counted_per_kind() -> None:
    text = "M1 1AE, 07700 900123, B33 8TH, 020 7946 0958"
    result = redact_text(text)
    assert [f.kind for f in result.findings] == [POSTCODE, PHONE, POSTCODE, PHONE]
    assert dict(result.counts) == {PHONE: 2, POSTCODE: 2}
    assert result.text == "[postcode], [phone], [postcode], [phone]"


def test_findings_never_hold_the_matched_value() -> None:
    text = "jo@example.com 943 476 5919"
    assert [field.name for field in dataclasses.fields(Finding)] == ["kind", "start", "end"]
    assert redact_text(text).findings == (Finding(EMAIL, 0, 14), Finding(NHS, 15, 27))


def test_emails_win_over_numbers_inside_them() -> None:
    assert masked_values("from 9434765919@example.com") == [(EMAIL, "9434765919@example.com")]


def test_adjacent_identifiers_of_different_kinds_are_masked_separately() -> None:
    text = "x@y.com9434765919 M1 1AE07700 900123"
    assert masked_values(text) == [
        (EMAIL, "x@y.com"),
        (NHS, "9434765919"),
        (POSTCODE, "M1 1AE"),
        (PHONE, "07700 900123"),
    ]
    assert redact_text(text).text == "[email][NHS number] [postcode][phone]"


@pytest.mark.parametrize("kind", list(RedactionKind))
def test_masks_are_not_themselves_redacted(kind: RedactionKind) -> None:
    assert_unchanged(f"before {kind.mask} after")


def test_masks() -> None:
    assert {kind.mask for kind in RedactionKind} == {
        "[NHS number]",
        "[phone]",
        "[email]",
        "[postcode]",
    }


# --- Event payloads --------------------------------------------------------------------------


def incident_payload() -> dict[str, Any]:
    return {
        "event_type": "incident.reported",
        "event_id": "e-1",
        "data": {
            "description": "Fell; daughter on 07700 900123 or jo@example.com informed.",
            "immediate_actions": ["Called 111", "Rang son on 020 7946 0958", "Checked M1 1AE"],
            "people_involved": [{"role": "resident", "person_ref": "SU-1042"}],
            "items": [
                {"item_id": "q1", "comment": "Fine"},
                {"item_id": "q2", "comment": None},
                {"item_id": "q3", "comment": "NHS 943 476 5919 on the wrong chart"},
                {"item_id": "q4"},
            ],
        },
    }


SENSITIVE_PATHS = ["data.description", "data.immediate_actions", "data.items.comment"]


def test_redact_fields_masks_nested_strings_and_lists() -> None:
    redacted, redactions = redact_fields(incident_payload(), SENSITIVE_PATHS)
    data = redacted["data"]
    assert data["description"] == "Fell; daughter on [phone] or [email] informed."
    assert data["immediate_actions"] == ["Called 111", "Rang son on [phone]", "Checked [postcode]"]
    assert data["items"] == [
        {"item_id": "q1", "comment": "Fine"},
        {"item_id": "q2", "comment": None},
        {"item_id": "q3", "comment": "NHS [NHS number] on the wrong chart"},
        {"item_id": "q4"},
    ]
    assert data["people_involved"] == incident_payload()["data"]["people_involved"]
    assert [(r.path, dict(r.counts)) for r in redactions] == [
        ("data.description", {EMAIL: 1, PHONE: 1}),
        ("data.immediate_actions.1", {PHONE: 1}),
        ("data.immediate_actions.2", {POSTCODE: 1}),
        ("data.items.2.comment", {NHS: 1}),
    ]


def test_redact_fields_does_not_mutate_or_share_the_input() -> None:
    payload = incident_payload()
    before = copy.deepcopy(payload)
    redacted, _ = redact_fields(payload, SENSITIVE_PATHS)
    assert payload == before
    redacted["data"]["items"][0]["comment"] = "changed"
    redacted["data"]["people_involved"].append({})
    assert payload == before


def test_redact_fields_skips_missing_none_and_non_string_fields() -> None:
    payload: dict[str, Any] = {
        "data": {"summary": None, "score": 7700900123, "nested": {"text": "07700 900123"}},
    }
    paths = ["data.summary", "data.score", "data.nested", "data.absent", "absent.deeper", ""]
    redacted, redactions = redact_fields(payload, paths)
    assert redacted == payload
    assert redactions == []


def test_redact_fields_reports_nothing_for_clean_fields() -> None:
    payload = {"data": {"text": "All good", "items": [{"comment": "Fine"}]}}
    redacted, redactions = redact_fields(payload, ["data.text", "data.items.comment"])
    assert redacted == payload
    assert redactions == []


def test_redact_fields_accepts_an_explicit_list_index() -> None:
    payload = {"data": {"items": [{"comment": "M1 1AE"}, {"comment": "B33 8TH"}]}}
    redacted, redactions = redact_fields(payload, ["data.items.1.comment", "data.items.5.comment"])
    assert redacted["data"]["items"] == [{"comment": "M1 1AE"}, {"comment": "[postcode]"}]
    assert [r.path for r in redactions] == ["data.items.1.comment"]


def test_redact_fields_treats_non_ascii_digit_segments_as_keys() -> None:
    payload = {"data": {"items": [{"comment": "M1 1AE"}]}}
    redacted, redactions = redact_fields(payload, ["data.items.\u00b2.comment"])
    assert redacted == payload
    assert redactions == []


def test_redact_fields_handles_lists_of_lists_and_top_level_fields() -> None:
    payload = {"notes": [["M1 1AE", None], ["fine"]], "text": "jo@example.com"}
    redacted, redactions = redact_fields(payload, ["notes", "text"])
    assert redacted == {"notes": [["[postcode]", None], ["fine"]], "text": "[email]"}
    assert [r.path for r in redactions] == ["notes.0.0", "text"]


def test_summary_is_compact_and_json_serialisable() -> None:
    _, redactions = redact_fields(incident_payload(), SENSITIVE_PATHS)
    summary = redaction_summary(redactions)
    assert summary == {
        "data.description": {"email": 1, "phone": 1},
        "data.immediate_actions.1": {"phone": 1},
        "data.immediate_actions.2": {"postcode": 1},
        "data.items.2.comment": {"nhs_number": 1},
    }
    assert json.loads(json.dumps(summary)) == summary
    assert all(type(kind) is str for counts in summary.values() for kind in counts)


def test_summary_adds_up_repeated_paths_and_is_empty_without_redactions() -> None:
    redactions = [
        FieldRedaction("data.text", {PHONE: 1}),
        FieldRedaction("data.text", {PHONE: 2, EMAIL: 1}),
    ]
    assert redaction_summary(redactions) == {"data.text": {"email": 1, "phone": 3}}
    assert redaction_summary([]) == {}


# --- Properties ------------------------------------------------------------------------------

IDENTIFIER_FRAGMENTS = [
    "9434765919",
    "943 476 5919",
    "943-476-5918",
    "07700 900123",
    "+44 (0)20 7946 0958",
    "(0161) 496 0000",
    "0044",
    "jo@example.com",
    "@",
    ".co.uk",
    "SW1A 1AA",
    "b33 8th",
    "M1",
    " 1AE",
    "12/03/2025",
    "10:30",
    "[phone]",
    "[NHS number]",
]
tricky_text = st.lists(
    st.one_of(
        st.sampled_from(IDENTIFIER_FRAGMENTS),
        st.text(alphabet="0123456789 -()+@.:/AaBMSTWhst\u00a0_", max_size=12),
        st.text(max_size=8),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=500)
@given(st.one_of(tricky_text, st.text()))
@example("B33 8TH07700900123")
@example("x@y.com9434765919 M1 1AE07700 900123")
@example("943 476 5918 476 5919")
@example("07700 900123+44 (0)20 7946 0958")
def test_redacting_redacted_text_changes_nothing(text: str) -> None:
    once = redact_text(text).text
    assert redact_text(once) == RedactionResult(text=once, findings=())


@settings(max_examples=300)
@given(st.one_of(tricky_text, st.text()))
def test_findings_are_ordered_disjoint_spans_that_rebuild_the_masked_text(text: str) -> None:
    result = redact_text(text)
    rebuilt, position = [], 0
    for finding in result.findings:
        assert position <= finding.start < finding.end <= len(text)
        rebuilt += [text[position : finding.start], finding.kind.mask]
        position = finding.end
    assert "".join([*rebuilt, text[position:]]) == result.text


@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    result = redact_text(text)
    assert isinstance(result.text, str)


@given(st.text(alphabet=st.characters(exclude_characters="0123456789@")))
def test_text_without_digits_or_at_signs_is_never_changed(text: str) -> None:
    assert_unchanged(text)


@settings(max_examples=500)
@given(st.one_of(tricky_text, st.text()))
def test_the_fast_check_skips_only_text_no_detector_matches(text: str) -> None:
    # redact_text skips its detectors when the fast check says no: that must lose nothing.
    if not may_hold_identifiers(text):
        assert all(pattern.search(text) is None for _, pattern, _ in _DETECTORS)


def test_sensitive_texts_are_the_strings_redact_fields_would_look_at() -> None:
    payload = {
        "data": {
            "description": "call 07700 900123",
            "items": [{"comment": "ok"}, {"comment": None}, {"comment": 3}],
            "actions": ["a", "b"],
        }
    }
    paths = ["data.description", "data.items.comment", "data.actions", "data.missing"]
    assert list(sensitive_texts(payload, paths)) == ["call 07700 900123", "ok", "a", "b"]


_KEYS = st.sampled_from(["data", "items", "comment", "0", "1"])
_JSON = st.recursive(
    st.none() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_KEYS, children, max_size=3),
    max_leaves=12,
)


@settings(max_examples=300)
@given(_JSON, st.lists(st.lists(_KEYS, max_size=4).map(".".join), max_size=3))
def test_sensitive_texts_walks_as_redact_fields_does(payload: Any, paths: list[str]) -> None:
    # The fast walk must find exactly the strings redact_fields' walk reaches, in its order.
    walked = [
        container[key]
        for path in paths
        for _, container, key in _leaves(payload, path.split(".") if path else [], ())
        if isinstance(container[key], str)
    ]
    assert sensitive_texts(payload, paths) == walked


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    """Nine random digits and their Modulus 11 check digit, formatted as staff might type it."""
    digits = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    total = sum(int(digit) * weight for digit, weight in zip(digits, range(10, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    assume(check != 10)  # these nine digits start no valid NHS number
    number = digits + str(check)
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join([number[:3], number[3:6], number[6:]])


@settings(max_examples=300)
@given(
    valid_nhs_numbers(),
    st.text(),
    st.text(),
    st.sampled_from([" ", "\n", ", ", ": ", "(", ")", "\t"]),
)
def test_valid_nhs_numbers_in_any_text_are_always_masked(
    number: str, before: str, after: str, gap: str
) -> None:
    text = f"{before}{gap}{number}{gap}{after}"
    start = len(before) + len(gap)
    result = redact_text(text)
    assert Finding(NHS, start, start + len(number)) in result.findings
    assert number not in result.text.replace(NHS.mask, "")  # not even partly left behind
