"""The dashboard in real headless Chromium: charts render, the filter form works, the page passes
an accessibility smoke check, a screenshot (docs/dashboard.png) is not blank, the PDF is served."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PIL import Image

from tests.browser.conftest import Server, chromium_executable

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.kafka]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "dashboard.png"
QUARTERS = "granularity=quarter&from=2025-01&to=2025-06"
MONTHS = "granularity=month&from=2024-10&to=2025-03"
CHART_COLOURS = {  # a colour each chart must show (its first series')
    "incidents-chart": (0x3B, 0x6E, 0xA5),
    "audit-chart": (0x1F, 0x5F, 0x8B),
    "themes-chart": (0x1F, 0x5F, 0x8B),
    "actions-chart": (0x1F, 0x5F, 0x8B),
}
ACCESSIBILITY = """() => {
  const named = (el) => el.labels && el.labels.length > 0 && el.labels[0].textContent.trim()
    || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  const fields = [...document.querySelectorAll('input:not([type=hidden]), select, textarea')];
  const svgs = [...document.querySelectorAll('svg')];
  return {
    lang: document.documentElement.lang,
    h1: document.querySelectorAll('h1').length,
    unlabelled: fields.filter((el) => !named(el)).map((el) => el.outerHTML),
    untitled: svgs.filter((s) => s.getAttribute('aria-hidden') !== 'true'
      && !(s.querySelector(':scope > title') && s.querySelector(':scope > title').textContent)
    ).map((s) => s.id),
    unlabelledSvgs: svgs.filter((s) => s.getAttribute('role') !== 'img'
      || !s.getAttribute('aria-labelledby')).map((s) => s.id),
    imagesWithoutAlt: [...document.querySelectorAll('img:not([alt])')].length,
    headerCellsWithoutScope: [...document.querySelectorAll('th:not([scope])')].length,
    tablesWithoutCaption: [...document.querySelectorAll('table')]
      .filter((t) => !t.caption || !t.caption.textContent.trim()).length,
    buttonsWithoutName: [...document.querySelectorAll('button')]
      .filter((b) => !b.textContent.trim()).length,
    skipTarget: !!document.querySelector(document.querySelector('.skip-link')
      .getAttribute('href')),
  };
}"""


def test_chromium_is_installed() -> None:
    """Fails, with how to install it, on a machine without Debian's Chromium (never skips)."""
    assert Path(chromium_executable()).is_file()


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    """A fresh browser profile per test (no cookie carried over)."""
    fresh = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    try:
        yield fresh
    finally:
        await fresh.close()


async def signed_in(context: BrowserContext, server: Server, query: str) -> Page:
    """Open the dashboard with the provider key in the URL, as a bookmarked link would."""
    page = await context.new_page()
    response = await page.goto(f"{server.url}/dashboard?key={server.keys.provider}&{query}")
    assert response is not None and response.ok, response and await response.text()
    assert "key=" not in page.url  # moved into the cookie, out of the address bar and history
    return page


async def figure(page: Page, key: str) -> str:
    """A headline figure's value as shown."""
    return (await page.locator(f'[data-figure="{key}"] .value').inner_text()).strip()


def colours(png: bytes) -> set[tuple[int, ...]]:
    """Distinct RGB colours of a PNG."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    found = image.getcolors(maxcolors=image.width * image.height)
    assert found is not None
    return {colour for _count, colour in found if isinstance(colour, tuple)}


async def test_charts_render_and_the_filter_form_changes_the_figures(
    reporting_server: Server, context: BrowserContext
) -> None:
    page = await signed_in(context, reporting_server, QUARTERS)
    assert await page.title() == "2025-Q1 to 2025-Q2 - LearnLoop governance dashboard"
    charts = page.locator("svg.chart")
    assert await charts.count() == 4
    for n in range(4):
        chart = charts.nth(n)
        box = await chart.bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
        marks = chart.locator(".mark")
        assert await marks.count() > 0, await chart.get_attribute("id")
        mark = await marks.first.bounding_box()
        assert mark is not None and mark["width"] > 0 and mark["height"] > 0
        shown = colours(await chart.screenshot())
        assert CHART_COLOURS[await chart.get_attribute("id") or ""] in shown
    assert await figure(page, "incidents") == "0"  # 2025-Q2, the latest period

    await page.fill("#to", "2025-03")  # now only 2025-Q1 ...
    await page.select_option("#region", "north-west")  # ... in the north-west
    async with page.expect_navigation():
        await page.get_by_role("button", name="Show").click()
    assert "region=north-west" in page.url and "to=2025-03" in page.url
    assert await figure(page, "incidents") == "5"  # rosewood-house 4 + elm-court 1
    assert await figure(page, "audit-compliance") == "75.0%"
    await page.select_option("#site", "oak-lodge")
    await page.select_option("#region", "")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Show").click()
    assert await figure(page, "incidents") == "1"
    assert await page.get_by_role("cell", name="Pressure care").count() == 0  # a <th>, a row head
    assert await page.get_by_role("rowheader", name="Pressure care").count() == 1


async def test_accessibility_smoke_check(reporting_server: Server, context: BrowserContext) -> None:
    page = await signed_in(context, reporting_server, QUARTERS)
    report: dict[str, Any] = await page.evaluate(ACCESSIBILITY)
    assert report == {
        "lang": "en-GB", "h1": 1, "unlabelled": [], "untitled": [], "unlabelledSvgs": [],
        "imagesWithoutAlt": 0, "headerCellsWithoutScope": 0, "tablesWithoutCaption": 0,
        "buttonsWithoutName": 0, "skipTarget": True,
    }  # fmt: skip
    await page.keyboard.press("Tab")  # the first stop is the skip link, and it shows
    focused = page.locator(":focus")
    assert await focused.inner_text() == "Skip to main content"
    box = await focused.bounding_box()
    assert box is not None and box["y"] >= 0
    outline = await focused.evaluate("(el) => getComputedStyle(el).outlineStyle")
    assert outline != "none"


async def test_screenshot_and_board_pack(reporting_server: Server, context: BrowserContext) -> None:
    page = await signed_in(context, reporting_server, MONTHS)
    assert await figure(page, "incidents") == "5"  # March 2025, up 4 from February
    SCREENSHOT.parent.mkdir(exist_ok=True)
    png = await page.screenshot(path=str(SCREENSHOT), full_page=True)
    image = Image.open(io.BytesIO(png))
    assert image.height > 900  # the whole page, not the viewport
    assert len(colours(png)) > 50, "the screenshot is blank"

    link = page.get_by_role("link", name="PDF for 2025-03")
    href = await link.get_attribute("href")
    assert href == "/v1/board-pack?period=2025-03&format=pdf"
    pdf = await page.goto(reporting_server.url + href)  # authenticated by the cookie alone
    assert pdf is not None and pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == 'inline; filename="board-pack-2025-03.pdf"'
    # The page now holds Chromium's PDF viewer; the browser's own request API gives the bytes.
    fetched = await context.request.get(reporting_server.url + href)
    assert fetched.ok and (await fetched.body()).startswith(b"%PDF-")

    html = await page.goto(f"{reporting_server.url}/v1/board-pack?period=2025-Q1&format=html")
    assert html is not None and html.status == 200
    assert await page.title() == "Governance board pack: 2025-Q1"
    charts = page.locator("svg.chart")
    assert await charts.count() == 4
    for n in range(4):
        box = await charts.nth(n).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 100
