"""What a board pack says: its sections, charts, tables and key figures (pure, no I/O).

Built from the API's JSON: a governance summary whose last period is the pack's (the earlier
ones feed the trend charts) and, optionally, the lists of what is overdue or open now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.reporting.board_pack import narrative
from services.reporting.board_pack.figures import KeyFigure, key_figures
from services.reporting.dashboard import summary_tables, trend_charts
from services.reporting.dashboard.charts import Chart
from services.reporting.dashboard.formats import day
from services.reporting.dashboard.tables import Table
from services.reporting.dashboard.view import describe_scope

Json = Mapping[str, Any]
EMPTY_LIST: Json = {"items": [], "total": 0}


@dataclass(frozen=True)
class Section:
    """One part of the meeting's agenda."""

    key: str
    title: str
    paragraphs: tuple[str, ...]
    charts: tuple[Chart, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class BoardPack:
    """A period's board pack."""

    title: str
    period: str
    previous: str
    scope: str
    generated_at: str
    introduction: str
    sections: tuple[Section, ...]
    figures: tuple[KeyFigure, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class NowLists:
    """What is overdue or open when the pack is made (the API's list answers)."""

    overdue_actions: Json = field(default_factory=lambda: EMPTY_LIST)
    overdue_obligations: Json = field(default_factory=lambda: EMPTY_LIST)
    open_obligations: Json = field(default_factory=lambda: EMPTY_LIST)


def build_board_pack(
    summary: Json, *, now: NowLists | None = None, accountability: Sequence[Json] | None = None,
    kind_titles: Mapping[str, str] | None = None,
) -> BoardPack:  # fmt: skip
    """The pack for the summary's last period.

    ``accountability`` defaults to the summary's (actions opened over its whole range); pass the
    pack period's own to narrow it. ``kind_titles`` names obligation kinds.
    """
    now = now or NowLists()
    titles = kind_titles or {}
    periods: list[Json] = list(summary["periods"])
    current = periods[-1]
    before = periods[-2] if len(periods) > 1 else None
    label, previous = current["period"]["label"], current["period"]["previous"]
    owners = summary["accountability"] if accountability is None else accountability
    info = current["period"]
    return BoardPack(
        title=f"Governance board pack: {label}",
        period=label,
        previous=previous,
        scope=describe_scope(summary["scope"]),
        generated_at=day(summary["generated_at"]),
        introduction=(
            f"For the governance meeting: {describe_scope(summary['scope'])}, {label} "
            f"({info['first_month']} to {info['last_month']}), compared with {previous}. "
            f"Figures as of {day(summary['generated_at'])}."
        ),
        sections=(
            _what_happened(current, before, periods),
            _what_we_learned(current),
            _what_we_did(current, owners),
            _did_it_work(current, periods),
            _what_is_overdue(current, now, titles, day(summary["generated_at"])),
            _what_is_rising(current),
        ),
        figures=tuple(key_figures(current, before, now.overdue_actions["total"],
                                  now.overdue_obligations["total"])),
        notes=tuple(summary.get("notes", ())),
    )  # fmt: skip


def _rates(current: Json) -> Table:
    rows = tuple(
        (r["site_id"], str(r["incidents"]),
         "n/a" if r["rate_per_1000"] is None else f"{r['rate_per_1000']:g}",
         (r["unit"] or "size unknown").replace("_", " "))
        for r in current["incidents"]["rates"]
    )  # fmt: skip
    return Table("Incidents per site", ("Site", "Incidents", "Rate per 1,000", "Measured in"),
                 rows, empty="No incident in this period.")  # fmt: skip


def _what_happened(current: Json, before: Json | None, periods: Sequence[Json]) -> Section:
    return Section(
        "what-happened", "What happened",
        narrative.what_happened(current, before),
        charts=(trend_charts.incidents_by_harm(periods, "pack-incidents"),
                trend_charts.audit_compliance(periods, "pack-audits")),
        tables=(_rates(current),),
    )  # fmt: skip


def _what_we_learned(current: Json) -> Section:
    themes = tuple((t["title"], str(t["count"])) for t in current["incidents"]["top_themes"])
    return Section(
        "what-we-learned", "What we learned",
        narrative.what_we_learned(current),
        tables=(Table("Most frequent incident themes", ("Theme", "Incidents"), themes,
                      empty="No incident was linked to a theme."),),
    )  # fmt: skip


def _what_we_did(current: Json, owners: Sequence[Json]) -> Section:
    return Section(
        "what-we-did", "What we did",
        narrative.what_we_did(current),
        tables=(summary_tables.accountability(owners),),
    )  # fmt: skip


def _did_it_work(current: Json, periods: Sequence[Json]) -> Section:
    return Section(
        "did-it-work", "Did it work?",
        narrative.did_it_work(current),
        charts=(trend_charts.improvement_actions(periods, "pack-actions"),),
        tables=(summary_tables.effectiveness(periods),),
    )  # fmt: skip


def _what_is_overdue(
    current: Json, now: NowLists, titles: Mapping[str, str], as_of: str
) -> Section:
    return Section(
        "what-is-overdue", "What is overdue",
        narrative.what_is_overdue(current, now.overdue_actions["total"],
                                  now.overdue_obligations["total"], as_of),
        tables=(
            summary_tables.obligation_tallies(current, titles),
            summary_tables.overdue_actions(now.overdue_actions["items"],
                                           caption=f"Improvement actions overdue on {as_of}"),
            summary_tables.obligations(now.overdue_obligations["items"], titles,
                                       caption=f"Obligations overdue on {as_of}",
                                       empty="No obligation is overdue."),
            summary_tables.obligations(now.open_obligations["items"], titles,
                                       caption=f"Obligations open (not yet due) on {as_of}",
                                       empty="No obligation is waiting."),
        ),
    )  # fmt: skip


def _what_is_rising(current: Json) -> Section:
    movement = current["themes"]
    label = current["period"]["label"]
    moved = movement["rising"] or movement["falling"]
    return Section(
        "what-is-rising", "What is rising",
        narrative.what_is_rising(current),
        charts=(trend_charts.theme_movement(current, "pack-movement"),) if moved else (),
        tables=(
            summary_tables.theme_changes(movement["rising"], caption=f"Themes rising in {label}",
                                         empty="No theme is rising."),
            summary_tables.theme_changes(movement["falling"],
                                         caption=f"Themes falling in {label}",
                                         empty="No theme is falling."),
        ),
    )  # fmt: skip
