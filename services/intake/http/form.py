"""A staff-facing HTML form to raise a concern: plain HTML, no JavaScript, no external assets.

A concern becomes a ``feedback.received`` event (kind ``concern``) and goes through the same path
as the API (``parse_item`` and ``Intake.submit``). Providers listed in
``LEARNLOOP_INTAKE__ANONYMOUS_CONCERNS_PROVIDERS`` accept concerns without a key (Freedom to
speak up): nothing identifying the person who submits is asked for, logged or stored.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.domain.api_keys import ApiKey, KeyRole
from services.intake.http.bodies import BodyError, read_body
from services.intake.submission import (
    FieldError,
    ItemResult,
    ItemStatus,
    event_id_for_idempotency_key,
    parse_item,
)
from shared.events.types import SLUG_PATTERN

if TYPE_CHECKING:
    from services.intake.http.app import IntakeState

router = APIRouter(include_in_schema=False)
SOURCES = {"staff": "A member of staff", "other": "Someone else"}
# Event attribute -> (id of the form control, its label), to point errors at the right field.
FIELDS = {
    "siteid": ("siteid", "Site"),
    "region": ("region", "Region"),
    "data.source": ("source-staff", "Who you are"),
    "data.text": ("text", "Your concern"),
    "data.topics": ("topics", "Topics"),
}
TEXT_HINT = (
    "What happened, where and when. Refer to people by their reference (for example SU-1042), "
    "not by name."
)
STYLE = (
    "body{font:1.1rem/1.5 system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem}"
    "label,legend{display:block;font-weight:600;margin-top:1rem}"
    "input[type=text],input[type=password],textarea{display:block;width:100%;font:inherit}"
    "input[type=radio]+label{display:inline;font-weight:400}"
    ".hint{color:#444;margin:0}.errors{border:4px solid #b00;padding:0 1rem}"
    ":focus{outline:3px solid #fd0;outline-offset:1px}button{font:inherit;margin-top:1.5rem}"
)


def anonymous_key(provider_id: str) -> ApiKey:
    """The key an anonymous concern is submitted with: no database row, no person behind it."""
    return ApiKey(
        key_id=f"anonymous-{provider_id}",
        name="anonymous concern form",
        provider_id=provider_id,
        sites=None,
        role=KeyRole.STAFF_APP,
        created_at=datetime.now(UTC),
    )


@router.get("/form/{provider_id}", response_class=HTMLResponse)
async def concern_form(request: Request, provider_id: str) -> HTMLResponse:
    """The empty form (404 for a provider id that cannot exist)."""
    if not re.fullmatch(SLUG_PATTERN, provider_id):
        return _message(404, "Form not found", "There is no concern form at this address.")
    return _form(provider_id, _is_anonymous(request, provider_id), {"token": str(uuid.uuid4())})


@router.post("/form/{provider_id}", response_class=HTMLResponse)
async def raise_concern(request: Request, provider_id: str) -> HTMLResponse:
    """Submit a concern; a confirmation with its reference, or the form with what to correct."""
    if not re.fullmatch(SLUG_PATTERN, provider_id):
        return _message(404, "Form not found", "There is no concern form at this address.")
    state: IntakeState = request.app.state.intake
    anonymous = _is_anonymous(request, provider_id)
    try:
        fields = await _read_form(request, state.settings.intake.max_body_bytes)
    except BodyError as exc:
        return _message(exc.status, "The form could not be read", exc.message)
    if anonymous:
        key = anonymous_key(provider_id)  # any key sent anyway is ignored: nothing identifies
    elif not fields.get("api_key"):
        return _message(403, "Sign-in needed", "This provider does not accept anonymous concerns.")
    else:
        found = await state.keys.authenticate(fields["api_key"])
        if found is None:
            return _message(401, "Key not recognised", "The API key is unknown or revoked.")
        key = found
    if state.limiter.retry_after(key.key_id, time.monotonic()) > 0:
        return _message(429, "Too many concerns", "Please wait a minute and send it again.")

    token = fields.get("token", "")[:200] or str(uuid.uuid4())
    event_id = event_id_for_idempotency_key(provider_id, f"concern-form:{token}")
    item = parse_item(0, _concern(provider_id, fields, event_id), expected_type="feedback.received")
    errors = list(item.errors) if isinstance(item, ItemResult) else []
    if fields.get("source") not in SOURCES and not any(e.path == "data.source" for e in errors):
        errors.append(FieldError("data.source", "Choose who you are", "enum"))
    if errors or isinstance(item, ItemResult):
        return _form(provider_id, anonymous, fields, errors, status=422)
    [result] = await state.intake.submit([item], key)
    if result.status in (ItemStatus.ACCEPTED, ItemStatus.DUPLICATE):
        return _confirmation(event_id, "Thank you. Your concern was received.")
    if result.code == "id_conflict":  # sent before (a double click, or back and send again)
        return _confirmation(
            event_id,
            "This form was already sent, so nothing new was sent now. "
            "To add something, open the form again and send a new concern.",
        )
    if result.status is ItemStatus.UNAVAILABLE:
        return _message(503, "Not sent yet", "Your concern was not sent. Please send it again.")
    return _message(result.http_status, "Not sent", result.message or "The concern was refused.")


def _is_anonymous(request: Request, provider_id: str) -> bool:
    state: IntakeState = request.app.state.intake
    return provider_id in state.settings.intake.anonymous_concerns_providers


async def _read_form(request: Request, limit: int) -> dict[str, str]:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/x-www-form-urlencoded":
        raise BodyError(415, "unsupported_media_type", "Send the form as a web form.")
    body = await read_body(request, limit)
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        raise BodyError(400, "malformed_form", "The form could not be read.") from None
    return {name: values[0].strip() for name, values in parsed.items()}


def _concern(provider_id: str, fields: Mapping[str, str], event_id: str) -> dict[str, Any]:
    topics = [topic.strip() for topic in fields.get("topics", "").split(",") if topic.strip()]
    data = {
        "received_at": datetime.now(UTC).isoformat(),
        "kind": "concern",
        "source": fields.get("source"),
        "text": fields.get("text"),
        "topics": topics,
    }
    event = {
        "id": event_id,
        "source": f"/providers/{provider_id}/concern-form",
        "providerid": provider_id,
        "siteid": fields.get("siteid"),
        "region": fields.get("region"),
        "data": {name: value for name, value in data.items() if value},
    }
    return {name: value for name, value in event.items() if value}


def _page(status: int, title: str, body: str) -> HTMLResponse:
    html = (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>\n{body}\n</main></body></html>\n"
    )
    return HTMLResponse(html, status_code=status)


def _message(status: int, title: str, text: str) -> HTMLResponse:
    return _page(status, title, f"<p>{escape(text)}</p>")


def _confirmation(event_id: str, text: str) -> HTMLResponse:
    return _page(
        200,
        "Concern sent",
        f"<p>{escape(text)}</p><p>Your reference is <strong>{escape(event_id)}</strong>. "
        "Keep it to follow up on your concern.</p>",
    )


def _form(
    provider_id: str,
    anonymous: bool,
    values: Mapping[str, str],
    errors: Iterable[FieldError] = (),
    status: int = 200,
) -> HTMLResponse:
    errors = list(errors)
    fields = (_field_of(error.path) for error in errors)
    invalid = {FIELDS[field][0] for field in fields if field is not None}

    def control(name: str, label: str, hint: str, *, required: bool = True) -> str:
        attrs = f'id="{name}" name="{name}" aria-describedby="{name}-hint"'
        attrs += " required" if required else ""
        attrs += ' aria-invalid="true"' if name in invalid else ""
        value = escape(values.get(name, ""))
        widget = (
            f'<textarea {attrs} rows="8" maxlength="5000">{value}</textarea>'
            if name == "text"
            else f'<input type="text" {attrs} value="{value}">'
        )
        hint_html = f'<p class="hint" id="{name}-hint">{hint}</p>'
        return f'<label for="{name}">{label}</label>{hint_html}{widget}'

    chosen = values.get("source", "staff")
    radios = "".join(
        f'<input type="radio" id="source-{value}" name="source" value="{value}"'
        f'{" checked" if value == chosen else ""}><label for="source-{value}">{label}</label> '
        for value, label in SOURCES.items()
    )
    notice = (
        "<p>This form is anonymous: it does not ask who you are and nothing about you is "
        "recorded. Leave your name out of the text if you want to stay anonymous.</p>"
        if anonymous
        else ""
    )
    key_field = (
        ""
        if anonymous
        else '<fieldset><legend>Your access</legend><label for="api_key">API key</label>'
        '<input type="password" id="api_key" name="api_key" required autocomplete="off">'
        "</fieldset>"
    )
    body = (
        f"{_error_summary(errors)}<p>Raise a concern about care or safety at a site of "
        f'{escape(provider_id)}.</p>{notice}<form method="post">'
        f'<input type="hidden" name="token" value="{escape(values.get("token", ""))}">'
        "<fieldset><legend>Where is your concern about?</legend>"
        f"{control('siteid', 'Site', 'The site id, for example rosewood-house.')}"
        f"{control('region', 'Region', 'The region id, for example north-west.')}</fieldset>"
        f"<fieldset><legend>Who you are</legend>{radios}</fieldset>"
        "<fieldset><legend>Your concern</legend>"
        f"{control('text', 'What is your concern?', TEXT_HINT)}"
        f"{control('topics', 'Topics (optional)', 'Separate them with commas.', required=False)}"
        f'</fieldset>{key_field}<button type="submit">Send concern</button></form>'
    )
    return _page(status, f"Raise a concern - {provider_id}", body)


def _field_of(path: str) -> str | None:
    return next((name for name in FIELDS if path == name or path.startswith(f"{name}.")), None)


def _error_summary(errors: list[FieldError]) -> str:
    if not errors:
        return ""
    items = []
    for error in errors:
        field = _field_of(error.path)
        target = (
            f'<a href="#{FIELDS[field][0]}">{FIELDS[field][1]}</a> ({escape(error.path)})'
            if field
            else escape(error.path)
        )
        items.append(f"<li>{target}: {escape(error.message)}</li>")
    return (
        '<div class="errors" role="alert" aria-labelledby="error-title">'
        f'<h2 id="error-title">There is a problem</h2><ul>{"".join(items)}</ul></div>'
    )
