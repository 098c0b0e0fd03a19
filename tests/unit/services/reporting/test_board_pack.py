"""The board pack's content, built from a summary dict as the API serves it, and its exports."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from pypdf import PdfReader

from services.reporting.board_pack.content import NowLists, build_board_pack
from services.reporting.board_pack.csv_export import COLUMNS, to_csv
from services.reporting.board_pack.html_export import to_html
from services.reporting.board_pack.markdown_export import to_markdown
from services.reporting.board_pack.pdf_export import latin1, to_pdf
from services.reporting.board_pack.period import parse_pack_period
from services.reporting.domain.periods import Granularity, PeriodError


def tally(kind: str, due: int = 0, on_time: int = 0, late: int = 0, overdue: int = 0,
          waiting: int = 0) -> dict[str, Any]:  # fmt: skip
    decided = on_time + late + overdue
    return {"kind": kind, "statutory": "statutory", "due": due, "met_on_time": on_time,
            "met_late": late, "overdue": overdue, "open": waiting,
            "on_time_share": round(on_time / decided, 3) if decided else None}  # fmt: skip


def period(label: str, previous: str, *, incidents: int, harm: dict[str, int],
           compliance: float | None, rising: list[dict[str, Any]] | None = None,
           actions: dict[str, Any] | None = None, previous_incidents: int = 0,
           obligations: list[dict[str, Any]] | None = None) -> dict[str, Any]:  # fmt: skip
    """One period of ``GET /v1/governance/summary`` (the fields the pack reads)."""
    first = {"2025-Q3": "2025-07", "2025-Q4": "2025-10"}[label]
    last = {"2025-Q3": "2025-09", "2025-Q4": "2025-12"}[label]
    return {
        "period": {"label": label, "first_month": first, "last_month": last, "days": 92,
                   "previous": previous},
        "incidents": {
            "total": incidents, "previous_total": previous_incidents,
            "by_physical_harm": {"none": 0, "low": 0, "moderate": 0, "severe": 0, "fatal": 0,
                                 **harm},
            "by_psychological_harm": {}, "by_category": {},
            "top_themes": [{"theme_id": "falls", "title": "Falls", "count": incidents}],
            "rates": [{"site_id": "rosewood-house", "incidents": incidents, "exposure": 3680.0,
                       "unit": "occupied_bed_days", "rate_per_1000": 1.087}],
        },
        "complaints": {
            "total": 2, "previous_total": 1, "by_category": {}, "by_severity": {},
            "acknowledged": tally("complaint_acknowledgement", 2, 1, 1),
            "responded": tally("complaint_response"), "upheld_rate": None,
        },
        "audits": {"total": 2, "compliance_pct": compliance, "failed_items": 3,
                   "by_type": [{"audit_type": "medication", "audits": 2, "scored": 2,
                                "compliance_pct": compliance, "previous_compliance_pct": None,
                                "change_pct_points": None, "failed_items": 3}]},
        "feedback": {"total": 5, "previous_total": 4, "rated": 4, "average_rating": 4.25,
                     "compliments": 3, "by_kind": {}},
        "actions": actions or {"opened": 2, "completed": 1, "overdue": 0, "escalated": 0,
                               "median_days_to_complete": 12.5, "reviewed": 1,
                               "verified_effective": 1, "share_verified_effective": 1.0},
        "obligations": obligations or [tally("duty_of_candour", 1, 1)],
        "alerts_raised": 1, "lessons_shared": 2, "outcomes_published": 1,
        "themes": {"rising": rising or [], "falling": []},
    }  # fmt: skip


RISING = [{"theme_id": "falls", "title": "Falls | trips", "current": 6, "previous": 2,
           "change": 4, "change_pct": 200.0}]  # fmt: skip
Q4_ACTIONS = {"opened": 3, "completed": 2, "overdue": 1, "escalated": 1,
              "median_days_to_complete": 9.0, "reviewed": 2, "verified_effective": 1,
              "share_verified_effective": 0.5}  # fmt: skip
Q4_OBLIGATIONS = [tally("cqc_notification", 2, 1, 0, 1), tally("safeguarding_referral", 1, 0, 1),
                  tally("riddor")]  # fmt: skip


def summary() -> dict[str, Any]:
    """Two quarters; the pack is for the last one, 2025-Q4."""
    return {
        "scope": {"provider_id": "harbour-care", "key_sites": None, "sites": None,
                  "region": "north-west"},
        "granularity": "quarter", "first_month": "2025-07", "last_month": "2025-12",
        "generated_at": "2026-01-10T09:00:00Z", "notes": ["Quarters are calendar quarters."],
        "periods": [
            period("2025-Q3", "2025-Q2", incidents=2, harm={"none": 2}, compliance=80.0),
            period("2025-Q4", "2025-Q3", incidents=6, previous_incidents=2,
                   harm={"low": 3, "moderate": 2, "severe": 1}, compliance=None,
                   rising=RISING, actions=Q4_ACTIONS, obligations=Q4_OBLIGATIONS),
        ],
        "accountability": [{"owner_role": "registered_manager", "actions": 3, "open": 1,
                            "overdue": 1, "completed": 2, "median_days_to_complete": 9.0,
                            "verified_effective": 1}],
    }  # fmt: skip


NOW = NowLists(
    overdue_actions={"total": 1, "items": [{
        "action_id": "ACT9", "site_id": "rosewood-house", "region": "north-west",
        "theme_id": "falls", "title": "Night checks", "status": "in_progress",
        "owner_role": "registered_manager", "due_at": "2025-12-01T10:00:00Z"}]},
    overdue_obligations={"total": 1, "items": [{
        "obligation_id": "OB9", "kind": "cqc_notification", "statutory": "statutory",
        "site_id": "rosewood-house", "due_at": "2025-12-02T10:00:00Z",
        "source_event_id": "I9"}]},
)  # fmt: skip
TITLES = {"cqc_notification": "CQC notification of a death or serious injury"}


def test_pack_periods_are_a_month_a_quarter_or_a_year() -> None:
    quarter = parse_pack_period("2025-Q4")
    assert (quarter.granularity, quarter.period.months) == (
        Granularity.QUARTER, ("2025-10", "2025-11", "2025-12")
    )  # fmt: skip
    assert (quarter.trend_from, quarter.trend_to) == ("2025-01", "2025-12")  # four quarters
    month = parse_pack_period("2025-11")
    assert (month.granularity, month.period.label, month.trend_from) == (
        Granularity.MONTH, "2025-11", "2024-12"
    )  # fmt: skip
    year = parse_pack_period(" 2025 ")
    assert (year.granularity, year.period.label, year.trend_from, year.trend_to) == (
        Granularity.YEAR, "2025", "2023-01", "2025-12"
    )  # fmt: skip


@pytest.mark.parametrize("text", ["2025-Q5", "2025-Q0", "25-Q1", "2025-13", "2025-1", "Q4"])
def test_other_period_texts_are_refused(text: str) -> None:
    with pytest.raises(PeriodError, match="YYYY-Qn"):
        parse_pack_period(text)


def test_sections_follow_the_meeting_and_tell_the_period() -> None:
    pack = build_board_pack(summary(), now=NOW, kind_titles=TITLES)
    assert pack.title == "Governance board pack: 2025-Q4"
    assert (pack.period, pack.previous) == ("2025-Q4", "2025-Q3")
    assert pack.scope == "harbour-care: all sites in region north-west"
    assert [s.title for s in pack.sections] == [
        "What happened", "What we learned", "What we did", "Did it work?", "What is overdue",
        "What is rising",
    ]  # fmt: skip
    happened, learned, did, worked, overdue, rising = pack.sections
    assert happened.paragraphs[0] == (
        "In 2025-Q4, 6 incidents were reported (up 4 from 2 in 2025-Q3); "
        "3 caused moderate harm or worse."
    )
    assert "2 audits were completed and 3 failed items." in happened.paragraphs
    assert [c.chart_id for c in happened.charts] == ["pack-incidents", "pack-audits"]
    assert learned.paragraphs[-1] == (
        "1 learning alert was raised across sites and 2 lessons were shared."
    )
    assert did.paragraphs == ("3 improvement actions were opened, 2 completed and 1 escalated.",)
    assert worked.paragraphs[0] == (
        "2 actions were reviewed for effectiveness; 1 was verified effective (50%)."
    )
    assert overdue.paragraphs[1] == (
        "Of 3 statutory and policy obligations due, 1 was met on time, 1 late and 1 was still "
        "overdue."
    )
    tallies, actions_now, obligations_now, _open = overdue.tables
    assert [row[0] for row in tallies.rows] == [
        "CQC notification of a death or serious injury",
        "Safeguarding referral",
    ]  # fmt: skip (riddor had nothing due)
    assert actions_now.rows == (
        ("Night checks", "rosewood-house", "Falls", "Registered manager", "1 Dec 2025",
         "In progress"),
    )  # fmt: skip
    assert obligations_now.rows[0][:2] == (TITLES["cqc_notification"], "rosewood-house")
    assert rising.paragraphs == ("Against 2025-Q3: Falls | trips rose from 2 to 6.",)
    assert [c.chart_id for c in rising.charts] == ["pack-movement"]


def test_key_figures_pair_the_period_with_the_one_before() -> None:
    figures = {f.figure: f for f in build_board_pack(summary(), now=NOW).figures}
    assert (figures["Incidents"].value, figures["Incidents"].previous) == (6, 2)
    serious = figures["Incidents with moderate harm or worse"]
    assert (serious.value, serious.previous) == (3, 0)
    assert (figures["Audit compliance"].value, figures["Audit compliance"].previous) == (None, 80)
    assert figures["Share verified effective"].value == 0.5
    assert figures["Obligations overdue"].value == 1
    assert figures["Themes rising"].value == 1
    now = figures["Improvement actions overdue now"]
    assert (now.value, now.previous, now.section) == (1, None, "What is overdue")


def test_accountability_can_be_the_periods_own() -> None:
    own = [{"owner_role": "clinical_lead", "actions": 1, "open": 1, "overdue": 0,
            "completed": 0, "median_days_to_complete": None, "verified_effective": 0}]  # fmt: skip
    did = build_board_pack(summary(), accountability=own).sections[2]
    assert [row[0] for row in did.tables[0].rows] == ["Clinical lead"]


def test_a_quiet_period_says_so() -> None:
    quiet = summary()
    quiet["periods"] = quiet["periods"][:1]  # no period before it, nothing rising
    quiet["periods"][0]["actions"] = {**Q4_ACTIONS, "completed": 0, "median_days_to_complete": None,
                                      "reviewed": 0, "verified_effective": 0,
                                      "share_verified_effective": None}  # fmt: skip
    pack = build_board_pack(quiet)
    assert pack.sections[3].paragraphs[:2] == (
        "0 actions were reviewed for effectiveness; 0 were verified effective.",
        "No action was completed in the period.",
    )
    assert pack.sections[5].paragraphs == ("No theme rose or fell markedly against 2025-Q2.",)
    assert pack.sections[5].charts == ()
    assert all(f.previous is None for f in pack.figures)


def test_csv_has_one_row_per_key_figure() -> None:
    pack = build_board_pack(summary(), now=NOW)
    rows = list(csv.DictReader(io.StringIO(to_csv(pack))))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) == len(pack.figures)
    by_name = {row["figure"]: row for row in rows}
    assert by_name["Incidents"] == {
        "section": "What happened", "figure": "Incidents", "period": "2025-Q4", "value": "6",
        "previous_period": "2025-Q3", "previous_value": "2", "unit": "count",
    }  # fmt: skip
    assert (by_name["Audit compliance"]["value"], by_name["Audit compliance"]["previous_value"]) \
        == ("", "80")  # fmt: skip
    assert by_name["Average feedback rating"]["value"] == "4.25"
    assert by_name["Median days to complete an action"]["value"] == "9"


def test_markdown_has_the_sections_tables_and_chart_data() -> None:
    text = to_markdown(build_board_pack(summary(), now=NOW, kind_titles=TITLES))
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Governance board pack: 2025-Q4", "## 1. What happened", "## 2. What we learned",
        "## 3. What we did", "## 4. Did it work?", "## 5. What is overdue",
        "## 6. What is rising", "## Key figures", "## Notes",
    ]  # fmt: skip
    assert "| Period | No harm | Low harm | Moderate harm | Severe harm | Fatal |" in text
    assert "| 2025-Q4 | 0 | 3 | 2 | 1 | 0 |" in text
    assert "| 2025-Q3 | 80% |" in text and "| 2025-Q4 | no data |" in text
    assert "| Falls \\| trips | 2 | 6 | +4 | +200.0% |" in text  # the pipe is escaped
    assert "**Obligations open (not yet due) on 10 Jan 2026:** No obligation is waiting." in text
    assert "| What happened | Incidents | 6 | 2 | count |" in text


def test_html_is_one_accessible_document_with_inline_charts() -> None:
    text = to_html(build_board_pack(summary(), now=NOW))
    assert text.startswith("<!doctype html>") and '<html lang="en-GB">' in text
    assert text.count("<svg") == 4 and text.count('role="img"') == 4
    assert "<title>Governance board pack: 2025-Q4</title>" in text
    assert "Falls | trips" in text and "<script" not in text
    assert '<th scope="col">Theme</th>' in text


def test_pdf_has_pages_an_outline_and_the_narrative() -> None:
    data = to_pdf(build_board_pack(summary(), now=NOW, kind_titles=TITLES))
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 3
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Governance board pack: 2025-Q4" in text
    assert "In 2025-Q4, 6 incidents were reported" in text
    assert [item.title for item in reader.outline if not isinstance(item, list)] == [
        "What happened", "What we learned", "What we did", "Did it work?", "What is overdue",
        "What is rising", "Key figures",
    ]  # fmt: skip
    assert reader.metadata is not None and reader.metadata.title == "Governance board pack: 2025-Q4"


def test_text_is_folded_for_the_pdf_fonts() -> None:
    assert (
        latin1("Falls \u2013 \u201cnight\u201d\u2026 caf\u00e9 \u2713")
        == 'Falls - "night"... caf\u00e9 ?'
    )
