"""The staff concern form against the real broker: accessible HTML, anonymous concerns where the
provider allows them (Freedom to speak up), a key everywhere else, errors named by field."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest

from shared.broker import topic_name
from shared.events import FeedbackKind, FeedbackReceived, FeedbackSource, parse_fact_event
from shared.settings import KafkaSettings
from shared.topics import FEEDBACK
from tests.integration.services.intake.conftest import IntakeHarness, make_harness, read_topic

pytestmark = pytest.mark.kafka
CONCERN = {
    "token": "f6c0c8a4-2d7e-4b43-a3d5-7d1b0e9c4a11",
    "siteid": "rosewood-house",
    "region": "north-west",
    "source": "staff",
    "text": "Night staff are often left with one carer on the first floor.",
    "topics": "staffing, night shift",
}


@pytest.fixture
async def intake(kafka_settings: KafkaSettings, sqlite_url: str) -> AsyncIterator[IntakeHarness]:
    async for harness in make_harness(
        kafka_settings, sqlite_url, anonymous_concerns_providers=["harbour-care"]
    ):
        yield harness


async def concerns(intake: IntakeHarness) -> list[tuple[bytes, FeedbackReceived]]:
    records = await read_topic(intake.kafka, topic_name(FEEDBACK, intake.kafka))
    events = [(key, parse_fact_event(value)) for key, value, _ in records]
    return [(key, event) for key, event in events if isinstance(event, FeedbackReceived)]


def reference(page: str) -> str:
    found = re.search(r"<strong>([0-9a-f-]{36})</strong>", page)
    assert found, page
    return found.group(1)


async def test_the_form_is_plain_accessible_html(intake: IntakeHarness) -> None:
    response = await intake.client.get("/form/harbour-care")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<html lang="en">' in page
    assert page.count("<fieldset>") == page.count("<legend>") == 3
    controls = set(re.findall(r'<(?:input|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"', page))
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    assert controls == labelled == {
        "siteid", "region", "source-staff", "source-other", "text", "topics",
    }  # fmt: skip
    assert 'name="api_key"' not in page  # anonymous: nobody signs in
    assert "<script" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # no external assets

    keyed = (await intake.client.get("/form/other-care")).text
    assert '<label for="api_key">' in keyed


async def test_an_anonymous_concern_lands_on_the_feedback_topic_once(intake: IntakeHarness) -> None:
    response = await intake.client.post("/form/harbour-care", data=CONCERN)
    assert response.status_code == 200, response.text
    event_id = reference(response.text)
    again = await intake.client.post("/form/harbour-care", data=CONCERN)  # a double click
    assert again.status_code == 200
    assert reference(again.text) == event_id
    assert "already sent" in again.text

    [(key, event)] = await concerns(intake)
    assert key == b"rosewood-house"
    assert event.id == event_id
    assert (event.providerid, event.data.kind, event.data.source) == (
        "harbour-care",
        FeedbackKind.CONCERN,
        FeedbackSource.STAFF,
    )
    assert event.data.topics == ["staffing", "night shift"]
    assert event.subject is None
    assert event.correlationid is None
    assert event.data.about_staff_ref is None


async def test_a_provider_without_anonymous_concerns_needs_a_key(intake: IntakeHarness) -> None:
    refused = await intake.client.post("/form/other-care", data=CONCERN)
    assert refused.status_code == 403
    assert "<h1>" in refused.text
    unknown = await intake.client.post("/form/other-care", data=CONCERN | {"api_key": "ll_x"})
    assert unknown.status_code == 401
    assert await concerns(intake) == []

    signed_in = await intake.client.post(
        "/form/other-care", data=CONCERN | {"api_key": intake.other_provider_key}
    )
    assert signed_in.status_code == 200, signed_in.text
    [(_, event)] = await concerns(intake)
    assert (event.providerid, event.id) == ("other-care", reference(signed_in.text))


async def test_a_key_of_another_provider_is_refused(intake: IntakeHarness) -> None:
    response = await intake.client.post(
        "/form/other-care", data=CONCERN | {"api_key": intake.provider_key}
    )
    assert response.status_code == 403
    assert await concerns(intake) == []


async def test_invalid_input_gets_422_html_naming_the_fields(intake: IntakeHarness) -> None:
    response = await intake.client.post(
        "/form/harbour-care",
        data=CONCERN | {"siteid": "Rosewood House", "source": "relative", "text": ""},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "There is a problem" in page
    for path, anchor in [("siteid", "siteid"), ("data.text", "text"), ("data.source", "source")]:
        assert f"({path})" in page
        assert f'href="#{anchor}' in page
    assert 'id="siteid" name="siteid" aria-describedby="siteid-hint" required aria-invalid' in page
    assert 'value="Rosewood House"' in page  # what was typed is kept
    assert await concerns(intake) == []


async def test_unreadable_submissions_get_4xx_pages(intake: IntakeHarness) -> None:
    as_json = await intake.client.post("/form/harbour-care", json=CONCERN)
    assert as_json.status_code == 415
    not_utf8 = await intake.client.post(
        "/form/harbour-care",
        content=b"text=%FF\xff",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert not_utf8.status_code == 400
    assert (await intake.client.get("/form/Not_A_Provider")).status_code == 404
