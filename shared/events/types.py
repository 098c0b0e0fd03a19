"""Constrained building blocks shared by every LearnLoop event contract.

Identifiers, timestamps, pseudonymous people references and free-text sizes are defined once
here so that every event type validates them the same way.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated
from uuid import uuid4

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
"""Provider, site and region ids: lowercase letters, digits and hyphens, 1-63 chars."""

SAFE_ID_PATTERN = r"^[A-Za-z0-9._:-]+$"
"""Event and correlation ids: characters that are safe in logs, URLs and Kafka headers."""

PSEUDONYMOUS_REF_PATTERN = r"^[A-Za-z0-9-]{4,64}$"
"""People are referred to by pseudonymous references (e.g. ``SU-1042``), never by name."""


class ContractModel(BaseModel):
    """Base for event payload models: unknown fields are rejected, fields cannot be reassigned."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def new_event_id() -> str:
    """Return a fresh random event id (a UUID4 string)."""
    return str(uuid4())


def utc_now() -> datetime:
    """Return the current time as a timezone-aware UTC datetime."""
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _plain_date_only(value: object) -> object:
    if isinstance(value, datetime) or (isinstance(value, str) and len(value.strip()) != 10):
        raise PydanticCustomError("plain_date", "Input should be a plain date (YYYY-MM-DD)")
    return value


_DIGIT = re.compile(r"\d")


def _reject_personal_names(value: object) -> object:
    # A name has a space inside ("Mary Smith") or no digit at all ("Mary").
    if isinstance(value, str) and (len(value.split()) > 1 or _DIGIT.search(value) is None):
        raise PydanticCustomError(
            "pseudonymous_ref",
            "Input looks like a personal name; use a pseudonymous reference such as 'SU-1042' "
            "(letters, digits and hyphens, with at least one digit)",
        )
    return value


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_as_utc)]
"""A timezone-aware datetime, normalised to UTC. Naive datetimes are rejected."""

PlainDate = Annotated[date, BeforeValidator(_plain_date_only)]
"""A calendar date given as ``YYYY-MM-DD`` (datetimes are not silently truncated)."""

DateOrUtcDatetime = UtcDatetime | PlainDate
"""Either an aware datetime (normalised to UTC) or, when only the day is known, a plain date."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
"""Identifier of a provider, site or region."""

SafeId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=SAFE_ID_PATTERN)]
"""Identifier of an event or of a chain of related events."""

PseudonymousRef = Annotated[
    str,
    StringConstraints(pattern=PSEUDONYMOUS_REF_PATTERN),
    BeforeValidator(_reject_personal_names),
    Field(description="Pseudonymous reference to a person (never a name), e.g. 'SU-1042'."),
]
"""Pseudonymous reference to a service user, member of staff or other person."""

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""A short line of text such as an action taken or a question."""

MediumText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
"""A paragraph of free text such as a comment."""

LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
"""A free-text account such as an incident description or complaint summary."""

Topic = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
"""A short tag describing what something is about, e.g. 'activities'."""
