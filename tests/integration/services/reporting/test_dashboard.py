"""The dashboard page shows the API's numbers, within the key's scope, filtered by its form."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.integration.services.reporting.conftest import Loaded

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
Q1: dict[str, Any] = {"granularity": "quarter", "from": "2025-01", "to": "2025-03"}
FEBRUARY: dict[str, Any] = {"granularity": "month", "from": "2025-02", "to": "2025-02"}


class Page(HTMLParser):
    """The headline figures (``data-figure`` -> value) and a few structural facts of a page."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self.svgs = self.marks = 0
        self._figure: str | None = None
        self._select: str | None = None
        self._in_value = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "data-figure" in found:
            self._figure = found["data-figure"]
        if found.get("class") == "value" and self._figure:
            self._in_value = True
        if tag == "select":
            self._select = found.get("name")
            self.options[self._select or ""] = []
        if tag == "option" and self._select and found.get("value"):
            self.options[self._select].append(found["value"] or "")
        self.svgs += tag == "svg"
        self.marks += found.get("class") == "mark"

    def handle_endtag(self, tag: str) -> None:
        self._in_value = False if tag == "span" else self._in_value
        self._select = None if tag == "select" else self._select

    def handle_data(self, data: str) -> None:
        if self._in_value and self._figure:
            self.figures[self._figure] = data.strip()
            self._figure = None


@pytest.fixture
async def client(loaded: Loaded) -> AsyncIterator[httpx.AsyncClient]:
    """The service's client, without cookies left over from another test."""
    loaded.served.client.cookies.clear()
    yield loaded.served.client
    loaded.served.client.cookies.clear()


async def page(client: httpx.AsyncClient, key: str, path: str = "/dashboard", *,
               expect: int = 200, **params: str) -> tuple[Page, str]:  # fmt: skip
    response = await client.get(path, params=params, headers={"X-API-Key": key})
    assert response.status_code == expect, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text), html.unescape(response.text)


async def test_the_page_shows_the_headline_numbers_the_api_returns(
    loaded: Loaded, client: httpx.AsyncClient
) -> None:
    key = loaded.keys.provider
    shown, text = await page(client, key, **Q1)
    api = await loaded.served.get("/v1/governance/summary", key, **Q1)
    [q1] = api["periods"]
    overdue = await loaded.served.get("/v1/actions", key, overdue="true")
    late = await loaded.served.get("/v1/obligations", key, status="overdue")
    assert shown.figures["incidents"] == str(q1["incidents"]["total"]) == "6"
    assert shown.figures["serious-harm"] == "2"  # moderate 2, severe 0, fatal 0
    assert shown.figures["complaints"] == str(q1["complaints"]["total"])
    assert shown.figures["audit-compliance"] == f"{q1['audits']['compliance_pct']:.1f}%"
    assert shown.figures["feedback-rating"] == f"{q1['feedback']['average_rating']:.1f} / 5"
    assert shown.figures["actions-completed"] == str(q1["actions"]["completed"])
    assert shown.figures["median-days"] == f"{q1['actions']['median_days_to_complete']:.1f} days"
    assert shown.figures["alerts"] == str(q1["alerts_raised"])
    assert shown.figures["overdue-actions"] == str(overdue["total"]) == "1"
    assert shown.figures["overdue-obligations"] == str(late["total"]) == "2"
    assert shown.svgs == 4 and shown.marks > 0
    assert "Reduce falls at night" not in text  # ACT1 is done; ACT2 is the overdue one
    assert "Pressure care" in text and "oak-lodge" in text
    root, _ = await page(client, key, "/", **Q1)
    assert root.figures == shown.figures


async def test_filters_narrow_the_figures(loaded: Loaded, client: httpx.AsyncClient) -> None:
    key = loaded.keys.provider
    region, _ = await page(client, key, **Q1, region="north-west")
    site, text = await page(client, key, **Q1, site="oak-lodge")
    monthly, _ = await page(client, key, **FEBRUARY)
    assert (region.figures["incidents"], site.figures["incidents"]) == ("5", "1")
    assert monthly.figures["incidents"] == "1" and monthly.figures["audit-compliance"] == "50.0%"
    assert site.options["site"] == ["elm-court", "oak-lodge", "rosewood-house"]
    assert '<option value="oak-lodge" selected>' in text


async def test_a_site_key_sees_only_its_site(loaded: Loaded, client: httpx.AsyncClient) -> None:
    key = loaded.keys.rosewood
    shown, text = await page(client, key, **Q1)
    assert shown.figures["incidents"] == "4" and shown.figures["overdue-obligations"] == "1"
    assert shown.options["site"] == ["rosewood-house"]
    assert "elm-court" not in text and "oak-lodge" not in text and "pine-view" not in text
    refused, text = await page(client, key, **Q1, site="elm-court", expect=403)
    assert "may not read site 'elm-court'" in text and not refused.figures
    other, text = await page(client, loaded.keys.other_provider, **Q1)
    assert other.figures["incidents"] == "1" and "rosewood-house" not in text


async def test_without_a_key_the_page_asks_for_one(
    loaded: Loaded, client: httpx.AsyncClient
) -> None:
    response = await client.get("/dashboard", params=Q1)
    assert response.status_code == 401
    assert '<label for="key">API key</label>' in response.text
    assert 'action="/dashboard/sign-in?granularity=quarter&amp;from=2025-01&amp;to=2025-03"' in (
        response.text
    )
    wrong = await client.get("/dashboard", params={"key": "ll_nope_nope"})
    assert wrong.status_code == 401 and "not accepted" in wrong.text
    assert "set-cookie" not in wrong.headers
    client.cookies.set("learnloop_reporting_key", "ll_revoked_key")
    revoked = await client.get("/dashboard")
    assert revoked.status_code == 401 and "not accepted" in revoked.text
    assert 'learnloop_reporting_key=""' in revoked.headers["set-cookie"]  # forgotten


async def test_a_key_in_the_url_moves_into_a_strict_cookie(
    loaded: Loaded, client: httpx.AsyncClient
) -> None:
    response = await client.get("/dashboard", params={**Q1, "key": loaded.keys.rosewood})
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard?granularity=quarter&from=2025-01&to=2025-03"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    followed = await client.get(response.headers["location"])  # the client sends the cookie
    assert followed.status_code == 200
    assert Page(followed.text).figures["incidents"] == "4"
    pack = await client.get("/v1/board-pack", params={"period": "2025-Q1", "format": "csv"})
    assert pack.status_code == 200  # the dashboard's links work with the cookie alone
    out = await client.post("/dashboard/sign-out")
    assert out.status_code == 303 and 'learnloop_reporting_key=""' in out.headers["set-cookie"]
    client.cookies.clear()
    assert (await client.get("/dashboard")).status_code == 401


async def test_the_sign_in_form_sets_the_cookie(loaded: Loaded, client: httpx.AsyncClient) -> None:
    form: dict[str, Any] = {"key": loaded.keys.provider}
    response = await client.post("/dashboard/sign-in", params=Q1, data=form)
    assert response.status_code == 303 and "from=2025-01" in response.headers["location"]
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    refused = await client.post("/dashboard/sign-in", data={"key": "ll_nope_nope"})
    assert refused.status_code == 401 and "not accepted" in refused.text
    empty = await client.post("/dashboard/sign-in", data={"key": " "})
    assert empty.status_code == 400


async def test_bad_filters_are_explained_on_the_page(
    loaded: Loaded, client: httpx.AsyncClient
) -> None:
    key = loaded.keys.provider
    _, text = await page(client, key, expect=422, **{"from": "2025-13"})
    assert "expected a month as YYYY-MM" in text and 'role="alert"' in text
    _, text = await page(client, key, expect=422, granularity="week")
    assert "period must be month, quarter or year" in text


async def test_pages_are_self_contained_and_not_cached(
    loaded: Loaded, client: httpx.AsyncClient
) -> None:
    response = await client.get(
        "/dashboard", params=Q1, headers={"X-API-Key": loaded.keys.provider}
    )
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy
    assert response.headers["cache-control"] == "no-store"
    local = response.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in local and "https://" not in local  # no CDN, no web fonts
    css = await client.get("/static/dashboard/dashboard.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
