"""The story the default scenario tells is visible in the counts."""

from statistics import mean

from learnloop.generator import SiteKind
from shared.events import AuditCompleted, AuditType, IncidentCategory
from tests.unit.learnloop.generator.runs import Run

IC = IncidentCategory
WINTER, SUMMER = (0, 1, 11), (5, 6, 7)  # months of a scenario starting in January


def care_homes(run: Run) -> set[str]:
    return {site.site_id for site in run.provider.sites if site.kind is SiteKind.CARE_HOME}


def test_more_falls_and_infections_in_winter(default_run: Run) -> None:
    for category, ratio in ((IC.FALL, 1.15), (IC.INFECTION, 1.8)):
        monthly = default_run.monthly(category, care_homes(default_run))
        winter = sum(monthly[month] for month in WINTER)
        summer = sum(monthly[month] for month in SUMMER)
        assert winter > ratio * summer, category


def test_falls_fall_where_actions_worked_and_not_where_they_stalled(default_run: Run) -> None:
    story = default_run.truth.to_dict()["story"]
    start = story["improvement_from_month"]
    improving = default_run.monthly(IC.FALL, set(story["improving_sites"]))
    stalled = default_run.monthly(IC.FALL, set(story["stalled_sites"]))
    assert mean(improving[start + 3 :]) < 0.8 * mean(improving[:start])
    assert mean(stalled[start + 3 :]) > 0.85 * mean(stalled[:start])


def test_medication_errors_rise_across_one_region(default_run: Run) -> None:
    story = default_run.truth.to_dict()["story"]
    start = story["rising_from_month"]
    rises = {}
    for region in default_run.provider.region_ids:
        sites = {site.site_id for site in default_run.provider.sites_in(region)}
        monthly = default_run.monthly(IC.MEDICATION, sites)
        rises[region] = mean(monthly[start + 3 :]) / mean(monthly[:start])
    rising = rises.pop(story["rising_region"])
    assert rising > 1.5
    assert rising > max(rises.values()) + 0.2
    assert 0.8 < mean(rises.values()) < 1.2  # elsewhere only noise


def test_medication_audits_slip_in_the_rising_region(default_run: Run) -> None:
    story = default_run.truth.to_dict()["story"]
    regions = {site.site_id: site.region_id for site in default_run.provider.sites}
    before: list[float] = []
    after: list[float] = []
    for event in default_run.events:
        if (
            isinstance(event, AuditCompleted)
            and event.data.audit_type is AuditType.MEDICATION
            and regions[event.siteid] == story["rising_region"]
            and event.data.score is not None
        ):
            month = event.time.month - 1
            (after if month >= story["rising_from_month"] else before).append(event.data.score)
    assert mean(after) < mean(before) - 0.05


def test_late_notifier_sites_notify_late_more_often(default_run: Run) -> None:
    truth = default_run.truth.to_dict()
    late_sites = set(truth["story"]["late_notifier_sites"])

    def late_share(in_late_sites: bool) -> float:
        items = [
            item
            for item in truth["cqc_notifiable"]
            if (item["site_id"] in late_sites) is in_late_sites
        ]
        return float(sum(item["late"] for item in items) / len(items))

    assert late_share(True) > 0.3
    assert late_share(False) < 0.12
