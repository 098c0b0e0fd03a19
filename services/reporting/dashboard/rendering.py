"""Jinja2 templates of the dashboard (autoescaped) and the security headers of its pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static/dashboard"
environment = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["svg"] = Markup  # charts are built with ElementTree, which escapes text
# Pages load nothing from elsewhere and run no script; charts are inline SVG.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def render(template: str, **context: Any) -> str:
    """A template filled with ``context``."""
    return environment.get_template(template).render(static=STATIC_PATH, **context)


def page(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """An HTML page with the dashboard's security headers."""
    return HTMLResponse(render(template, **context), status_code, headers=PAGE_HEADERS)
