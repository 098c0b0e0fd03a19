"""The synthetic provider: sites, regions and sizes."""

from collections import Counter

from learnloop.generator import SiteKind, build_provider
from learnloop.generator.provider import region_ids

SLUG = "abcdefghijklmnopqrstuvwxyz0123456789-"


def test_default_provider_has_forty_sites_in_five_regions() -> None:
    provider = build_provider(seed=1, sites=40, regions=5, provider_id="demo-care-group")
    assert [site.site_id for site in provider.sites] == [f"site-{n:03d}" for n in range(1, 41)]
    assert provider.region_ids == (
        "region-north",
        "region-south",
        "region-east",
        "region-west",
        "region-midlands",
    )
    assert Counter(site.region_id for site in provider.sites) == dict.fromkeys(
        provider.region_ids, 8
    )
    assert Counter(site.kind for site in provider.sites) == {
        SiteKind.CARE_HOME: 24,
        SiteKind.HOMECARE: 10,
        SiteKind.SUPPORTED_LIVING: 6,
    }


def test_sites_are_sized_so_rates_can_be_computed() -> None:
    provider = build_provider(seed=3, sites=60, regions=4, provider_id="p-1")
    for site in provider.sites:
        if site.kind is SiteKind.CARE_HOME:
            assert 30 <= site.beds <= 90
            assert 0.85 <= site.occupancy <= 0.95
            assert site.occupied_beds > 0
        else:
            assert site.beds == 0
            assert site.care_hours_per_month > 0
        assert site.people_supported >= 1
        assert set(site.site_id) <= set(SLUG)


def test_provider_is_reproducible_from_its_seed() -> None:
    first = build_provider(seed=9, sites=12, regions=3, provider_id="p-1")
    assert first == build_provider(seed=9, sites=12, regions=3, provider_id="p-1")
    assert first != build_provider(seed=10, sites=12, regions=3, provider_id="p-1")


def test_a_tiny_provider_still_works() -> None:
    provider = build_provider(seed=1, sites=1, regions=1, provider_id="p-1")
    assert len(provider.sites) == 1
    assert provider.sites_in("region-north") == list(provider.sites)


def test_regions_beyond_the_named_ones_are_numbered() -> None:
    assert region_ids(10)[-2:] == ("region-09", "region-10")
