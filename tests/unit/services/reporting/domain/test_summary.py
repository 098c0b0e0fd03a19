"""A period summary from cube cells and rows, compared with the period before."""

from __future__ import annotations

from datetime import UTC, datetime

from services.reporting.domain.cube import Cell
from services.reporting.domain.periods import Granularity, periods_between
from services.reporting.domain.sites import SiteSize
from services.reporting.domain.summary import ReadModel, SummaryRules, summarise

RULES = SummaryRules(
    granularity=Granularity.MONTH, now=datetime(2025, 7, 1, tzinfo=UTC), titles={"falls": "Falls"},
    obligation_kinds=["cqc_notification"], min_count=2,
)  # fmt: skip


def test_summary_of_a_month_against_the_month_before() -> None:
    cells = [
        Cell("2025-02", "incidents", "", 1), Cell("2025-03", "incidents", "", 3),
        Cell("2025-03", "incidents.physical_harm", "low", 3),
        Cell("2025-02", "themes.incident", "falls", 1),
        Cell("2025-03", "themes.incident", "falls", 3),
        Cell("2025-03", "audits.type", "medication", 2),
        Cell("2025-03", "audits.scored", "medication", 2, 1_500_000),
        Cell("2025-03", "feedback", "", 2), Cell("2025-03", "feedback.rating", "", 2, 9),
    ]  # fmt: skip
    model = ReadModel(
        cells=cells, site_incidents=[Cell("2025-03", "incidents", "home", 3)],
        sites={"home": SiteSize(site_id="home", region="r", kind="care_home", occupied_beds=10)},
    )  # fmt: skip
    [march] = summarise(model, periods_between("2025-03", "2025-03", Granularity.MONTH), RULES)
    assert (march.incidents.total, march.incidents.previous_total) == (3, 1)
    assert march.incidents.by_physical_harm["low"] == 3
    assert march.incidents.rates[0].rate_per_1000 == 9.677  # 3 / (10 x 31) x 1000
    assert march.audits.compliance_pct == 75.0
    assert march.feedback.average_rating == 4.5
    assert [t.theme_id for t in march.themes.rising] == ["falls"]
    assert [o.kind for o in march.obligations] == ["cqc_notification"]
    assert march.complaints.upheld_rate is None
