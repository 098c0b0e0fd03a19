"""The ``incident.reported`` event: a member of staff reported an incident at a site."""

from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator

from shared.events.consistency import Problem, raise_problems
from shared.events.envelope import EventEnvelope
from shared.events.incident_codes import (
    IncidentCategory,
    InvolvedAgent,
    LocationDetail,
    MedicationProblem,
    PersonRole,
    PhysicalHarm,
    PsychologicalHarm,
    ReporterRole,
    UnstageablePressureUlcer,
)
from shared.events.sensitivity import SENSITIVE
from shared.events.types import ContractModel, LongText, PseudonymousRef, ShortText, UtcDatetime

PressureUlcerGrade = Annotated[int, Field(ge=1, le=4)] | UnstageablePressureUlcer
"""Pressure ulcer grade 1-4, or a category that cannot be graded numerically."""

SKIN_CATEGORIES = frozenset({IncidentCategory.PRESSURE_DAMAGE, IncidentCategory.SKIN_DAMAGE})


class PersonInvolved(ContractModel):
    """A person involved in the incident, identified only by a pseudonymous reference."""

    role: PersonRole
    person_ref: PseudonymousRef


class GovernanceFlags(ContractModel):
    """Facts the reporter knows that may trigger statutory or governance follow-up.

    These are facts, not decisions: whether a CQC notification, duty of candour or RIDDOR
    report is due is worked out downstream from them.
    """

    safeguarding_concern: bool = False
    police_involved: bool = False
    death: bool = Field(default=False, description="A person using the service died.")
    pressure_ulcer_grade: PressureUlcerGrade | None = None
    serious_injury: bool = False
    abuse_or_allegation: bool = False
    service_disruption: bool = Field(
        default=False, description="The event stops, or may stop, the service running safely."
    )
    riddor_reportable: bool = False
    deprivation_of_liberty: bool = False
    never_event: bool = False


class Incident(ContractModel):
    """An incident as first reported, classified with LFPSE-inspired codes."""

    occurred_at: UtcDatetime
    reported_at: UtcDatetime
    reporter_role: ReporterRole
    category: IncidentCategory
    physical_harm: PhysicalHarm
    psychological_harm: PsychologicalHarm
    people_involved: list[PersonInvolved] = Field(min_length=1, max_length=50)
    location_detail: LocationDetail
    description: LongText = Field(json_schema_extra=SENSITIVE)
    immediate_actions: list[ShortText] = Field(
        default_factory=list, max_length=20, json_schema_extra=SENSITIVE
    )
    medication_problem: MedicationProblem | None = None
    involved_agents: list[InvolvedAgent] = Field(default_factory=list, max_length=9)
    governance: GovernanceFlags = Field(default_factory=GovernanceFlags)

    @field_validator("involved_agents")
    @classmethod
    def _agents_are_distinct(cls, agents: list[InvolvedAgent]) -> list[InvolvedAgent]:
        if len(set(agents)) != len(agents):
            raise ValueError("involved agents must not repeat")
        if InvolvedAgent.NONE_OF_THE_ABOVE in agents and len(agents) > 1:
            raise ValueError("'none_of_the_above' cannot be combined with other agents")
        return agents

    @model_validator(mode="after")
    def _is_consistent(self) -> Self:
        problems: list[Problem] = []
        flags = self.governance
        if self.occurred_at > self.reported_at:
            problems.append(
                Problem(
                    ("occurred_at",), "occurred_at must not be after reported_at", self.occurred_at
                )
            )
        if flags.death and self.physical_harm is not PhysicalHarm.FATAL:
            problems.append(
                Problem(
                    ("physical_harm",),
                    "governance.death is true, so physical_harm must be 'fatal'",
                    self.physical_harm.value,
                )
            )
        if not flags.death and self.physical_harm is PhysicalHarm.FATAL:
            problems.append(
                Problem(
                    ("governance", "death"),
                    "physical_harm is 'fatal', so governance.death must be true",
                    False,
                )
            )
        elif not flags.death and self.category is IncidentCategory.DEATH:
            problems.append(
                Problem(
                    ("governance", "death"),
                    "category is 'death', so governance.death must be true",
                    False,
                )
            )
        if flags.pressure_ulcer_grade is not None and self.category not in SKIN_CATEGORIES:
            problems.append(
                Problem(
                    ("governance", "pressure_ulcer_grade"),
                    "pressure_ulcer_grade needs category 'pressure_damage' or 'skin_damage'",
                    flags.pressure_ulcer_grade,
                )
            )
        raise_problems(type(self).__name__, problems)
        return self


class IncidentReported(EventEnvelope[Incident]):
    """Event ``incident.reported`` (schema v1): an incident was reported at a site."""

    type: Literal["incident.reported"] = "incident.reported"
    schemaversion: Literal[1] = 1
