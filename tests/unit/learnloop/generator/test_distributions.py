"""The default scenario matches the reference figures for realistic synthetic data."""

from collections import Counter

import pytest

from learnloop.generator import SiteKind
from shared.events import ComplaintReceived, IncidentCategory, PhysicalHarm
from tests.unit.learnloop.generator.runs import Run

IC = IncidentCategory


def care_home_mix(run: Run) -> dict[IncidentCategory, float]:
    homes = {site.site_id for site in run.provider.sites if site.kind is SiteKind.CARE_HOME}
    counts = Counter(event.data.category for event in run.incidents if event.siteid in homes)
    total = sum(counts.values())
    return {category: counts[category] / total for category in IncidentCategory}


def test_default_size_is_between_fifteen_and_thirty_thousand(default_run: Run) -> None:
    assert 15_000 <= len(default_run.events) <= 30_000


@pytest.mark.parametrize(
    ("categories", "low", "high"),
    [
        ({IC.FALL}, 0.35, 0.45),
        ({IC.MEDICATION}, 0.10, 0.16),  # the rising theme lifts medication a little
        ({IC.PRESSURE_DAMAGE, IC.SKIN_DAMAGE}, 0.08, 0.12),
        ({IC.BEHAVIOUR}, 0.08, 0.12),
        ({IC.SAFEGUARDING}, 0.03, 0.06),
    ],
)
def test_care_home_incident_mix(
    default_run: Run, categories: set[IncidentCategory], low: float, high: float
) -> None:
    share = sum(care_home_mix(default_run)[category] for category in categories)
    assert low <= share <= high


def test_harm_is_mostly_none_or_low(default_run: Run) -> None:
    counts = Counter(event.data.physical_harm for event in default_run.incidents)
    total = sum(counts.values())
    assert (counts[PhysicalHarm.NONE] + counts[PhysicalHarm.LOW]) / total >= 0.90
    assert 0.04 <= counts[PhysicalHarm.MODERATE] / total <= 0.08
    assert counts[PhysicalHarm.SEVERE] / total < 0.015
    assert 0.001 <= counts[PhysicalHarm.FATAL] / total <= 0.008


def test_about_55_percent_of_complaints_are_upheld(default_run: Run) -> None:
    complaints = default_run.truth.to_dict()["complaints"]
    assert complaints["count"] >= 200
    assert 0.45 <= complaints["upheld"] / complaints["count"] <= 0.65


def test_homecare_complaints_include_missed_visits_and_care_homes_do_not(
    default_run: Run,
) -> None:
    kinds = {site.site_id: site.kind for site in default_run.provider.sites}
    missed = Counter(
        kinds[event.siteid]
        for event in default_run.events
        if isinstance(event, ComplaintReceived) and event.data.category == "missed_or_late_visit"
    )
    assert missed[SiteKind.HOMECARE] > 0
    assert missed[SiteKind.CARE_HOME] == 0


def test_audit_programme_runs_monthly_and_quarterly(default_run: Run) -> None:
    by_type = default_run.truth.audits_by_type
    care_homes = sum(site.kind is SiteKind.CARE_HOME for site in default_run.provider.sites)
    assert by_type["call_bell_response"] == care_homes * 12
    assert by_type["dignity"] == len(default_run.provider.sites) * 4
    assert by_type["fire_safety"] == care_homes + sum(
        site.kind is SiteKind.SUPPORTED_LIVING for site in default_run.provider.sites
    )


def test_feedback_includes_compliments_and_good_practice(default_run: Run) -> None:
    kinds = default_run.truth.feedback_by_kind
    total = sum(kinds.values())
    assert kinds["compliment"] / total > 0.35
    assert kinds["good_practice"] > 0
