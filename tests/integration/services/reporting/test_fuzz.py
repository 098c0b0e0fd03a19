"""Fuzzing the reporting service with Hypothesis: no request gets a 5xx, no key crosses tenants.

Two providers are projected by the real service (Kafka in, SQLite read models): harbour-care
(three sites, the fixture's history) and other-care (pine-view, with its own actions,
obligations, alert, lesson and outcome under distinctive ids). Requests vary the route (API,
dashboard, board pack in every format, lists, evidence, static files, unknown paths), the path
segments, the query parameters (known and unknown names, repeated, malformed, huge), the
headers, where the key travels (header, cookie, ``?key=``, sign-in form) and the method.

Every answer must be below 500, and its headers and body (PDF text included) must not name
anything of a tenant the key may not read - another provider's ids, site ids and region names,
or, for a site-scoped key, its provider's other sites - unless the request itself named it
(an echo in an error message is not a leak). Examples are derandomized so CI is reproducible.
"""

from __future__ import annotations

import io
import json
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from pypdf import PdfReader

from shared.events.derived import DerivedEvent
from shared.provisioning import ensure_topics
from shared.settings import KafkaSettings
from tests.conftest import delete_topics_with_prefix
from tests.integration.services.reporting.conftest import _database as database
from tests.integration.services.reporting.derived_fixture import derived, make_derived
from tests.integration.services.reporting.fixture import (
    OTHER_PROVIDER,
    PROVIDER,
    at,
    audit,
    complaint,
    facts,
    feedback,
)
from tests.integration.services.reporting.harness import (
    Keys,
    Served,
    make_keys,
    publish,
    serving,
    settings_for,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

# REPORTING_FUZZ_EXAMPLES=5000 hunts longer, with fresh random examples, on a developer's machine.
HUNT = int(os.environ.get("REPORTING_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=HUNT or 300,
    deadline=None,
    derandomize=not HUNT,  # the same examples on every run: CI is reproducible
    database=None,  # nothing written into the working tree
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow explain phase
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What each tenant owns. Site ids, regions, providers and long ids are looked for in every
# answer; the fixture's short event ids (I1, C2...) only in JSON string values, where they cannot
# be confused with SVG path data or CSS.
HARBOUR_SITES = {
    "rosewood-house": "north-west",
    "elm-court": "north-west",
    "oak-lodge": "north-east",
}
ROSEWOOD_IDS = {"I1", "I2", "I3", "I4", "C1", "A1", "A3", "F1", "F2", "F4", "ACT1", "ACT3",
                "OB1", "OB4", "OB5", "L1", "OUT1"}  # fmt: skip
OTHER_HARBOUR_IDS = {"I5", "I6", "C2", "A2", "F3", "ACT2", "OB2", "OB3", "OB6", "OB7"}
HARBOUR_WORDS = {"Reduce falls at night", "Sensor mats", "Night falls", "Pressure care",
                 "MAR chart checks"}  # fmt: skip
OTHER_WORDS = {"pine-view", "birch-grange", "south", "pv-complaint-1", "pv-audit-1",
               "pv-feedback-1", "pv-action-1", "pv-obligation-1", "pv-alert-1", "pv-lesson-1",
               "pv-outcome-1", "Bed rails at Pine View", "Pine View bed rails fitted"}  # fmt: skip


@dataclass(frozen=True)
class Tenant:
    """What one key may read: words that may appear in its answers."""

    name: str
    visible: frozenset[str]


def _tenants(keys: Keys) -> dict[str, Tenant]:
    rosewood = {"rosewood-house", "north-west", PROVIDER, *ROSEWOOD_IDS}
    harbour = {*rosewood, *HARBOUR_SITES, *HARBOUR_SITES.values(), *OTHER_HARBOUR_IDS,
               *HARBOUR_WORDS, "AL1"}  # fmt: skip
    # The falls alert was raised at elm-court about rosewood-house too: it is rosewood's alert.
    rosewood |= {"AL1", *HARBOUR_WORDS - {"Pressure care"}}
    return {
        keys.provider: Tenant("harbour-care governance key", frozenset(harbour)),
        keys.rosewood: Tenant("harbour-care rosewood-house key", frozenset(rosewood)),
        keys.other_provider: Tenant(
            "other-care key", frozenset({*OTHER_WORDS, OTHER_PROVIDER, "I7"})
        ),
    }  # fmt: skip


ALL_WORDS = frozenset(
    {*HARBOUR_SITES, *HARBOUR_SITES.values(), PROVIDER, OTHER_PROVIDER, *ROSEWOOD_IDS,
     *OTHER_HARBOUR_IDS, *HARBOUR_WORDS, *OTHER_WORDS, "AL1", "I7"}
)  # fmt: skip
SHORT_IDS = frozenset(word for word in ALL_WORDS if len(word) <= 4)


def other_care_history() -> list[Any]:
    """other-care's own facts and learning at pine-view, under ids no other tenant has."""
    pine = "pine-view"
    happened = [
        complaint("pv-complaint-1", pine, at("2025-03-04T09:00"), "care_quality"),
        audit("pv-audit-1", pine, "2025-03-29T16:00", "YNN"),
        feedback("pv-feedback-1", pine, "2025-03-09T12:00", "concern", 1),
    ]
    learned: list[DerivedEvent] = [
        make_derived("theme.linked", "pv-theme-1", pine, "pv-complaint-1",
                     {"source_event_id": "pv-complaint-1",
                      "source_event_type": "complaint.received", "theme_id": "falls",
                      "matches": [{"rule_id": "test", "source": "field",
                                   "field": "data.category"}]}),
        make_derived("obligation.flagged", "pv-obligation-1-flag", pine, "I7",
                     {"obligation_id": "pv-obligation-1", "kind": "duty_of_candour",
                      "due_at": at("2025-03-24T10:00"), "source_event_id": "I7",
                      "status": "statutory", "reasons": ["test"]}),
        make_derived("action.opened", "pv-action-1-open", pine, "I7",
                     {"action_id": "pv-action-1", "rule_id": "test-rule",
                      "title": "Bed rails at Pine View", "theme_id": "falls",
                      "source_event_id": "I7", "due_at": at("2025-04-02T10:00")}),
        make_derived("action.updated", "pv-action-1-done", pine, "I7",
                     {"action_id": "pv-action-1", "change": "completed", "status": "completed",
                      "at": at("2025-03-25T10:00")}),
        make_derived("action.reviewed", "pv-action-1-review", pine, "I7",
                     {"action_id": "pv-action-1", "verdict": "verified_effective",
                      "theme_id": "falls", "window_days": 30, "events_before": 1,
                      "events_after": 0, "reviewed_at": at("2025-04-26T10:00")}),
        make_derived("alert.raised", "pv-alert-1-raise", pine, "I7",
                     {"alert_id": "pv-alert-1", "theme_id": "falls",
                      "site_ids": [pine, "birch-grange"], "event_count": 3, "window_days": 30}),
        make_derived("lesson.shared", "pv-lesson-1-share", pine, "I7",
                     {"lesson_id": "pv-lesson-1", "action_id": "pv-action-1",
                      "theme_id": "falls", "what_happened": "Falls from bed at night",
                      "what_we_did": "Pine View bed rails fitted",
                      "evidence_of_effect": "No falls for 30 days"},
                     at("2025-04-27T10:00")),
        make_derived("outcome.published", "pv-outcome-1", pine, "I7",
                     {"source_event_id": "I7", "action_id": "pv-action-1",
                      "action_title": "Bed rails at Pine View", "status": "verified_effective"},
                     at("2025-04-28T10:00")),
    ]  # fmt: skip
    return [*happened, *learned]


@dataclass(repr=False)
class Fuzzed:
    """The loaded service, its keys and who each key is."""

    served: Served
    keys: Keys
    tenants: dict[str, Tenant]

    @property
    def client(self) -> httpx.AsyncClient:
        return self.served.client

    def __repr__(self) -> str:  # Hypothesis prints it with every failing example
        return "Fuzzed(...)"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
async def fuzzed(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Fuzzed]:
    """Both providers' histories projected by a running service (SQLite, then PostgreSQL)."""
    kafka = KafkaSettings(
        bootstrap_servers=kafka_bootstrap, topic_prefix=f"test-{uuid.uuid4().hex[:12]}"
    )
    directory = tmp_path_factory.mktemp("reporting-fuzz")
    await ensure_topics(kafka)
    try:
        keys_url, keys = await make_keys(directory)
        events = [*derived(), *facts(), *other_care_history()]
        await publish(kafka, events)
        async for url in database(request, directory):
            async with serving(settings_for(kafka, url, keys_url, directory)) as served:
                await served.consumed(len(events))
                yield Fuzzed(served, keys, _tenants(keys))
    finally:
        await delete_topics_with_prefix(kafka)


# ---- what a request is made of -------------------------------------------------------------

SITES = [*HARBOUR_SITES, "pine-view", "nowhere"]
REGIONS = ["north-west", "north-east", "south", "nowhere"]
GOOD_VALUES = [
    "2025-01", "2025-03", "2025-06", "2024-12", "2025-13", "2025-1", "0000-01", "0001-01",
    "9999-12", "9998-12", "1900-01", "2025-Q1", "2025-Q4", "2025-Q5", "2025", "0000", "0001",
    "9999", "9999-Q4", "0000-Q1", "month", "quarter", "year", "week", "MONTH", "pdf", "csv", "md",
    "html", "xml", "saf-2023", "draft-2026", "safe.safeguarding", "safe.learning_culture",
    "well_led.learning_improvement_innovation", "safe", "open", "overdue", "met", "completed",
    "in_progress", "true", "false", "yes", "unassigned", "registered_manager", "falls",
    "medication", "duty_of_candour", "cqc_notification", "1", "0", "-1", "2", "50", "500",
    "501", "99999999999999999999", "1e3", "NaN", "night", "bed rails", "Pine", "%", "_", "%_%",
    "'", '"', "\\", ";--", "\x00", "é" * 300, "x" * 5000, " ", "", *SITES, *REGIONS,
    PROVIDER, OTHER_PROVIDER,
]  # fmt: skip
PARAM_NAMES = ["from", "to", "granularity", "site", "region", "min_count", "status", "overdue",
               "owner_role", "theme", "limit", "offset", "kind", "q", "framework", "statement",
               "period", "format", "first", "last"]  # fmt: skip
PRINTABLE = st.characters(codec="utf-8", exclude_categories=["Cs"])
values = st.one_of(
    st.sampled_from(GOOD_VALUES),
    st.sampled_from(GOOD_VALUES),  # twice as likely: most requests should reach the handler
    st.text(PRINTABLE, max_size=30),
    st.integers().map(str),
)
# Months and periods at the edges of the calendar, drawn as pairs so both ends are set.
MONTHS = ["2025-01", "2025-03", "2025-06", "2024-12", "0000-01", "0001-01", "0001-12", "1899-12",
          "9998-12", "9999-01", "9999-12", "2025-13"]  # fmt: skip
PACK_PERIODS = ["2025-Q1", "2025-03", "2025", "0000", "0001", "0001-Q1", "9999", "9999-Q4",
                "9999-12", "2025-Q5", " 2025 "]  # fmt: skip
ranges = st.lists(
    st.tuples(st.just("from"), st.sampled_from(MONTHS))
    | st.tuples(st.just("to"), st.sampled_from(MONTHS))
    | st.tuples(st.just("period"), st.sampled_from(PACK_PERIODS))
    | st.tuples(st.just("granularity"), st.sampled_from(["month", "quarter", "year"])),
    max_size=3,
)
query_params = st.builds(
    lambda named, drawn: [*named, *drawn],
    ranges,
    st.lists(
        st.tuples(st.sampled_from(PARAM_NAMES) | st.text(PRINTABLE, max_size=8), values),
        max_size=4,
    ),
)
RAW_QUERIES = ["%ff%fe", "from=%ff", "site=%00", "a=%", "&&&", "=", "site=%C0%AF",
               "period=2025&period=2026", "q=%25", "limit=1&limit=abc"]  # fmt: skip
ROUTES = [
    "/v1/governance/summary", "/v1/sites", "/v1/sites/{site}/scorecard", "/v1/themes/trends",
    "/v1/actions", "/v1/obligations", "/v1/lessons", "/v1/evidence", "/v1/frameworks",
    "/v1/board-pack", "/", "/dashboard", "/healthz", "/readyz", "/metrics", "/openapi.json",
    "/static/dashboard/{site}", "/v1/{site}", "/{site}",
]  # fmt: skip
RAW_SEGMENTS = ["%ff", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%00", "a%2Fb", "dashboard.css"]
segments = (
    st.sampled_from(SITES).map(quote)
    | st.text(PRINTABLE, min_size=1, max_size=40).map(lambda text: quote(text, safe=""))
    | st.sampled_from(RAW_SEGMENTS)
)
ASCII = st.characters(min_codepoint=32, max_codepoint=126)
KEY_PLACES = ["header"] * 6 + ["cookie", "query", "none"]
KEY_NAMES = ["provider", "rosewood", "other_provider"] * 3 + ["bogus", "empty"]


@dataclass(frozen=True)
class Request:
    """One drawn request: method, target and headers, and the key it carries."""

    method: str
    target: str  # path and query string, percent-encoded
    headers: dict[str, str]
    key: str | None
    body: bytes = b""

    def named(self) -> str:
        """Everything the request said, decoded, to tell an echo from a leak."""
        said = [unquote(self.target), *self.headers.values(), self.body.decode("latin-1")]
        return "\n".join(said).replace("+", " ").lower()


def _key(fuzzed: Fuzzed, name: str) -> str:
    if name == "bogus":
        return "ll_deadbeef_not-a-real-key"
    if name == "empty":
        return ""
    key: str = getattr(fuzzed.keys, name)
    return key


@st.composite
def get_requests(draw: st.DrawFn, fuzzed: Fuzzed, routes: Sequence[str] = ROUTES) -> Request:
    """A GET (sometimes HEAD, POST or OPTIONS) on a route with drawn parameters and headers."""
    path = draw(st.sampled_from(routes)).replace("{site}", draw(segments))
    query: list[tuple[str, str | int | float | bool | None]] = draw(query_params)
    bare_question_mark: bool = draw(st.booleans())
    target = path
    if query or bare_question_mark:
        raw = draw(st.sampled_from([None] * 6 + RAW_QUERIES))
        encoded = str(httpx.QueryParams(query))
        target += "?" + "&".join(part for part in (encoded, raw) if part)
    key_name, place = draw(st.sampled_from(KEY_NAMES)), draw(st.sampled_from(KEY_PLACES))
    key = _key(fuzzed, key_name)
    headers = draw(
        st.dictionaries(
            st.sampled_from(["Accept", "Accept-Encoding", "X-Forwarded-Proto", "Range",
                             "If-None-Match", "Content-Type", "Origin", "X-Fuzz"]),
            st.text(ASCII, max_size=200),
            max_size=3,
        )
    )  # fmt: skip
    if place == "header":
        headers["X-API-Key"] = key
    elif place == "cookie":
        headers["Cookie"] = f"learnloop_reporting_key={key}"
    elif place == "query":
        target += ("&" if "?" in target else "?") + "key=" + quote(key, safe="")
    method = draw(st.sampled_from(["GET"] * 20 + ["HEAD", "POST", "OPTIONS"]))
    sent = key if place != "none" and key_name not in ("bogus", "empty") else None
    return Request(method, target, headers, sent)


@st.composite
def sign_ins(draw: st.DrawFn, fuzzed: Fuzzed) -> Request:
    """The dashboard's sign-in and sign-out forms with drawn fields or raw bytes."""
    path = draw(st.sampled_from(["/dashboard/sign-in", "/dashboard/sign-out"]))
    query = str(httpx.QueryParams(draw(query_params)))
    key_name = draw(st.sampled_from(KEY_NAMES))
    key = _key(fuzzed, key_name)
    fields = draw(st.dictionaries(st.sampled_from(["key", "site", "x"]) | st.text(max_size=5),
                                  values, max_size=3))  # fmt: skip
    if draw(st.booleans()):
        fields["key"] = key
    body = draw(st.binary(max_size=200)) if draw(st.booleans()) else httpx.QueryParams(fields)
    raw = body if isinstance(body, bytes) else str(body).encode()
    content_type = draw(st.sampled_from(["application/x-www-form-urlencoded", "text/plain", ""]))
    sent = key if key_name not in ("bogus", "empty") and key.encode() in raw else None
    target = path + (f"?{query}" if query else "")
    return Request("POST", target, {"Content-Type": content_type}, sent, raw)


# ---- what an answer may hold ---------------------------------------------------------------


def answer_text(response: httpx.Response) -> str:
    """The headers and body as text; a PDF's extracted text."""
    head = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    if response.headers.get("content-type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        return head + "\n" + "\n".join(page.extract_text() for page in reader.pages)
    return head + "\n" + response.content.decode("utf-8", errors="replace")


def json_strings(node: Any) -> Iterator[str]:
    """Every key and string value in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from json_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from json_strings(value)
    elif isinstance(node, str):
        yield node


def mentions(text: str, word: str) -> bool:
    """``word`` appears in ``text`` as a whole word (ids are not parts of longer ids)."""
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def leaks(fuzzed: Fuzzed, request: Request, response: httpx.Response) -> list[str]:
    """Words of tenants the request's key may not read, found in the answer and not in the
    request."""
    tenant = fuzzed.tenants.get(request.key or "")
    visible = tenant.visible if tenant else frozenset()
    named = request.named()
    foreign = [word for word in ALL_WORDS - visible if word.lower() not in named]
    text = answer_text(response)
    found = [word for word in foreign if word not in SHORT_IDS and mentions(text, word)]
    if "json" in response.headers.get("content-type", "") and response.content:
        strings = list(json_strings(json.loads(response.content)))
        found += [w for w in foreign if w in SHORT_IDS and any(mentions(s, w) for s in strings)]
    return sorted(found)


async def send(fuzzed: Fuzzed, request: Request) -> httpx.Response:
    """Send, failing on a 5xx or on an exception escaping the app (a 500 to a real client),
    and on any word of a tenant the key may not read."""
    fuzzed.client.cookies.clear()  # a cookie set by an earlier answer would travel along
    try:
        response = await fuzzed.client.request(
            request.method, request.target, headers=request.headers, content=request.body or None
        )
    except Exception as exc:
        raise AssertionError(
            f"unhandled {type(exc).__name__} for {request.method} {request.target}: {exc}"
        ) from exc
    assert response.status_code < 500, (request, response.status_code, response.text[:300])
    if currently_in_test_context():  # --hypothesis-show-statistics shows the mix of answers
        event(f"answered {response.status_code}")
    tenant = fuzzed.tenants.get(request.key or "")
    leaked = leaks(fuzzed, request, response)
    assert not leaked, (
        f"{tenant.name if tenant else 'no valid key'} was shown {leaked}"
        f" by {request.method} {request.target}"
    )
    return response


# ---- the properties ------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
async def test_no_api_request_gets_a_5xx_or_crosses_tenants(
    fuzzed: Fuzzed, data: st.DataObject
) -> None:
    api = [route for route in ROUTES if route.startswith("/v1/") and route != "/v1/board-pack"]
    await send(fuzzed, data.draw(get_requests(fuzzed, api)))


@settings(FUZZ, max_examples=HUNT or 120)
@given(data=st.data())
async def test_no_page_request_gets_a_5xx_or_crosses_tenants(
    fuzzed: Fuzzed, data: st.DataObject
) -> None:
    pages = ["/", "/dashboard", "/v1/board-pack", "/v1/board-pack", "/static/dashboard/{site}",
             "/healthz", "/readyz", "/metrics", "/openapi.json", "/{site}"]  # fmt: skip
    await send(fuzzed, data.draw(get_requests(fuzzed, pages) | sign_ins(fuzzed)))


async def test_the_leak_check_sees_a_leak(fuzzed: Fuzzed) -> None:
    """The property can fail: another provider's own answer is a leak for this key."""
    key = fuzzed.keys.other_provider
    theirs = Request("GET", "/v1/actions", {"X-API-Key": key}, key)
    response = await fuzzed.client.get("/v1/actions", headers=theirs.headers)
    as_ours = Request("GET", "/v1/actions", {"X-API-Key": fuzzed.keys.provider},
                      fuzzed.keys.provider)  # fmt: skip
    shown = ["Bed rails at Pine View", "pine-view", "pv-action-1", "south"]
    assert leaks(fuzzed, as_ours, response) == shown
    assert leaks(fuzzed, theirs, response) == []


async def test_each_provider_sees_its_own_data(fuzzed: Fuzzed) -> None:
    """The seeded read models hold both providers (else the fuzzer would prove nothing)."""
    for key, action in (
        (fuzzed.keys.provider, "ACT1"),
        (fuzzed.keys.other_provider, "pv-action-1"),
    ):
        body = await fuzzed.served.get("/v1/actions", key)
        assert action in [item["action_id"] for item in body["items"]]
    lessons = await fuzzed.served.get("/v1/lessons", fuzzed.keys.other_provider, q="from bed")
    assert [lesson["lesson_id"] for lesson in lessons["items"]] == ["pv-lesson-1"]
    assert (
        json.dumps(await fuzzed.served.get("/v1/lessons", fuzzed.keys.provider, q="bed")).find(
            "pv-lesson-1"
        )
        == -1
    )


# Requests the fuzzer once turned into 500s, and what they get now (fixed in api/deps.py,
# api/lists.py, board_pack/period.py, board_pack/exports.py and dashboard/filters.py).
ONCE_500 = [
    pytest.param("/v1/governance/summary?from=0001-01&to=0001-03", 422, id="year-0-before-range"),
    pytest.param("/v1/governance/summary?granularity=year&from=9999-10&to=9999-12", 422,
                 id="year-10000-after-range"),
    pytest.param("/v1/themes/trends?granularity=year&from=0001-01&to=0001-03", 422,
                 id="trends-year-0"),
    pytest.param("/v1/sites/rosewood-house/scorecard?from=0000-01&to=0000-02", 422,
                 id="scorecard-year-minus-1"),
    pytest.param("/v1/evidence?framework=saf-2023&statement=safe.safeguarding&from=9999-12"
                 "&to=9999-12", 422, id="evidence-year-10000"),
    pytest.param("/dashboard?from=0000-01&to=0000-02", 422, id="dashboard-year-minus-1"),
    pytest.param("/v1/board-pack?period=9999-Q4&format=md", 422, id="board-pack-year-10000"),
    pytest.param("/v1/board-pack?period=0000&format=md", 422, id="board-pack-year-0"),
    pytest.param("/v1/board-pack?period=2025-Q1&format=md&region=%E2%82%AC", 200,
                 id="board-pack-file-name-not-latin-1"),
    pytest.param("/v1/actions?offset=9223372036854775808", 422, id="offset-over-int64"),
    pytest.param("/v1/lessons?limit=500&offset=99999999999999999999", 422,
                 id="lessons-offset-over-int64"),
    pytest.param("/v1/sites/%00/scorecard", 422, id="nul-in-path-postgresql"),
    pytest.param("/v1/actions?theme=%00", 422, id="nul-in-query-postgresql"),
    pytest.param("/v1/board-pack?period=2025-Q1&format=csv&site=%00", 422, id="nul-board-pack"),
    pytest.param("/dashboard?site=%00", 422, id="nul-in-dashboard-filter"),
    pytest.param("/dashboard?key=%00", 401, id="nul-in-key"),
]  # fmt: skip


@pytest.mark.parametrize(("target", "status"), ONCE_500)
async def test_requests_that_once_answered_500_are_answered(
    fuzzed: Fuzzed, target: str, status: int
) -> None:
    key = fuzzed.keys.provider
    headers = {} if "key=" in target else {"X-API-Key": key}
    response = await send(fuzzed, Request("GET", target, headers, key))
    assert response.status_code == status, response.text[:300]


async def test_a_board_pack_file_name_keeps_only_safe_characters(fuzzed: Fuzzed) -> None:
    response = await send(fuzzed, Request(
        "GET", "/v1/board-pack?period=2025-Q1&format=csv&region=%22north%E2%82%AC%22",
        {"X-API-Key": fuzzed.keys.provider}, fuzzed.keys.provider,
    ))  # fmt: skip
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="board-pack-2025-Q1-_north_.csv"'
