"""The ``audit.completed`` event: a scheduled quality audit was completed at a site."""

from collections import Counter
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    computed_field,
    model_validator,
)
from pydantic.config import JsonDict

from shared.events.consistency import Problem, raise_problems
from shared.events.envelope import EventEnvelope
from shared.events.sensitivity import SENSITIVE
from shared.events.types import ContractModel, MediumText, ShortText, UtcDatetime

AuditItemId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
"""Identifier of a question within an audit tool, e.g. 'MED-07'."""

SCORE_TOLERANCE = 1e-9


class AuditType(StrEnum):
    """Audits in a typical care-home audit programme."""

    MEDICATION = "medication"
    INFECTION_PREVENTION_CONTROL = "infection_prevention_control"
    FALLS_AND_INCIDENTS = "falls_and_incidents"
    CARE_PLAN_QUALITY = "care_plan_quality"
    CALL_BELL_RESPONSE = "call_bell_response"
    WEIGHT_NUTRITION = "weight_nutrition"
    PRESSURE_AREA_CARE = "pressure_area_care"
    HEALTH_AND_SAFETY = "health_and_safety"
    STAFFING_DEPENDENCY = "staffing_dependency"
    MCA_DOLS = "mca_dols"
    COMPLAINTS_COMPLIMENTS = "complaints_compliments"
    DIGNITY = "dignity"
    MEALTIME_EXPERIENCE = "mealtime_experience"
    SAFEGUARDING = "safeguarding"
    TRAINING_COMPLIANCE = "training_compliance"
    RECRUITMENT_FILES = "recruitment_files"
    INFORMATION_GOVERNANCE = "information_governance"
    FIRE_SAFETY = "fire_safety"
    LEGIONELLA = "legionella"
    BUSINESS_CONTINUITY = "business_continuity"
    SURVEYS = "surveys"
    POLICY_REVIEW = "policy_review"


class AuditFrequency(StrEnum):
    """How often the audit is scheduled."""

    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    SIX_MONTHLY = "six_monthly"
    ANNUAL = "annual"


class AuditorRole(StrEnum):
    """Role of the person who carried out the audit."""

    REGISTERED_MANAGER = "registered_manager"
    DEPUTY_MANAGER = "deputy_manager"
    QUALITY_LEAD = "quality_lead"
    CLINICAL_LEAD = "clinical_lead"
    NURSE = "nurse"
    SENIOR_CARER = "senior_carer"
    PHARMACIST = "pharmacist"
    EXTERNAL_AUDITOR = "external_auditor"
    OTHER = "other"


class AuditAnswer(StrEnum):
    """Answer to one audit question."""

    YES = "yes"
    NO = "no"
    NOT_APPLICABLE = "not_applicable"


class AuditItem(ContractModel):
    """One question of the audit tool and its answer."""

    item_id: AuditItemId
    question: ShortText
    answer: AuditAnswer
    comment: MediumText | None = Field(default=None, json_schema_extra=SENSITIVE)
    evidence: MediumText | None = Field(default=None, json_schema_extra=SENSITIVE)


def _score_may_be_absent(schema: JsonDict) -> None:
    required = schema.get("required")
    if isinstance(required, list) and "score" in required:
        required.remove("score")


class Audit(ContractModel):
    """A completed audit with its item-level answers.

    ``score`` is derived (Yes / (Yes + No), N/A excluded). It is written to JSON for consumers;
    on input it may be omitted, and if present it must match the items.
    """

    model_config = ConfigDict(json_schema_extra=_score_may_be_absent)

    audit_type: AuditType
    frequency: AuditFrequency
    completed_at: UtcDatetime
    auditor_role: AuditorRole
    period_start: date
    period_end: date
    items: list[AuditItem] = Field(min_length=1, max_length=500)

    @computed_field(  # type: ignore[prop-decorator]
        description="Yes / (Yes + No), N/A excluded; absent when no item was answered yes or no."
    )
    @property
    def score(self) -> float | None:
        """Proportion of applicable items answered yes, or ``None`` if none was applicable."""
        answers = Counter(item.answer for item in self.items)
        applicable = answers[AuditAnswer.YES] + answers[AuditAnswer.NO]
        return answers[AuditAnswer.YES] / applicable if applicable else None

    @property
    def failed_items(self) -> list[AuditItem]:
        """Items answered no: the starting points for actions."""
        return [item for item in self.items if item.answer is AuditAnswer.NO]

    @model_validator(mode="wrap")
    @classmethod
    def _accept_derived_score(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        claimed: object = None
        has_claim = isinstance(data, dict) and "score" in data
        if has_claim:
            data = dict(data)
            claimed = data.pop("score")
        audit = handler(data)
        if has_claim and not _same_score(claimed, audit.score):
            raise_problems(
                cls.__name__,
                [Problem(("score",), f"score must equal yes/(yes+no) = {audit.score}", claimed)],
            )
        return audit

    @model_validator(mode="after")
    def _is_consistent(self) -> Self:
        problems: list[Problem] = []
        if self.period_start > self.period_end:
            problems.append(
                Problem(
                    ("period_end",),
                    "period_end must not be before period_start",
                    self.period_end.isoformat(),
                )
            )
        seen = Counter(item.item_id for item in self.items)
        problems.extend(
            Problem(
                ("items", index, "item_id"), f"item_id {item.item_id!r} is repeated", item.item_id
            )
            for index, item in enumerate(self.items)
            if seen[item.item_id] > 1
        )
        raise_problems(type(self).__name__, problems)
        return self


def _same_score(claimed: object, actual: float | None) -> bool:
    if claimed is None or actual is None:
        return claimed is actual
    if isinstance(claimed, bool) or not isinstance(claimed, int | float):
        return False
    try:
        return abs(claimed - actual) <= SCORE_TOLERANCE
    except OverflowError:  # an integer too large for a float is no score
        return False


class AuditCompleted(EventEnvelope[Audit]):
    """Event ``audit.completed`` (schema v1): an audit was completed at a site."""

    type: Literal["audit.completed"] = "audit.completed"
    schemaversion: Literal[1] = 1
