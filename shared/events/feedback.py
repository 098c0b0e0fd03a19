"""The ``feedback.received`` event: compliments, suggestions and other feedback about a site."""

from enum import StrEnum
from typing import Literal, Self

from pydantic import Field, model_validator

from shared.events.consistency import Problem, raise_problems
from shared.events.envelope import EventEnvelope
from shared.events.sensitivity import SENSITIVE
from shared.events.types import ContractModel, LongText, PseudonymousRef, Topic, UtcDatetime


class FeedbackSource(StrEnum):
    """Who or what the feedback came from."""

    SERVICE_USER = "service_user"
    RELATIVE = "relative"
    STAFF = "staff"
    VISITING_PROFESSIONAL = "visiting_professional"
    COMMISSIONER = "commissioner"
    SURVEY = "survey"
    ONLINE_REVIEW = "online_review"
    OTHER = "other"


class FeedbackKind(StrEnum):
    """What kind of feedback it is (complaints have their own event)."""

    COMPLIMENT = "compliment"
    SUGGESTION = "suggestion"
    CONCERN = "concern"
    GOOD_PRACTICE = "good_practice"
    GENERAL = "general"


class Feedback(ContractModel):
    """Feedback received about a service: a rating, some text, or both."""

    received_at: UtcDatetime
    source: FeedbackSource
    kind: FeedbackKind
    rating: int | None = Field(default=None, ge=1, le=5, description="1 (poor) to 5 (excellent).")
    text: LongText | None = Field(default=None, json_schema_extra=SENSITIVE)
    topics: list[Topic] = Field(default_factory=list, max_length=20)
    about_staff_ref: PseudonymousRef | None = None

    @model_validator(mode="after")
    def _is_consistent(self) -> Self:
        problems: list[Problem] = []
        if self.rating is None and self.text is None:
            problems.append(Problem(("text",), "feedback needs a rating or some text", None))
        raise_problems(type(self).__name__, problems)
        return self


class FeedbackReceived(EventEnvelope[Feedback]):
    """Event ``feedback.received`` (schema v1): feedback was received about a site."""

    type: Literal["feedback.received"] = "feedback.received"
    schemaversion: Literal[1] = 1
