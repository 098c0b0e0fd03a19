"""The NHS England LFPSE taxonomy (v5) code lists that themes map to, as versioned data.

Codes and display terms follow the FHIR code systems of the ``patient-safety-adverse-event-5``
profile, so a theme can later be exported in the national vocabulary.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.learning.domain.frameworks import Title
from services.learning.domain.rule_model import RuleModel

LfpseList = Literal[
    "event_type",
    "physical_harm",
    "psychological_harm",
    "involved_agent",
    "safety_challenge",
    "medication_problem",
    "risk_theme",
    "cqc_criteria",
    "governance_flag",
]
"""The LFPSE code lists a theme may map to."""

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
"""The display term of an LFPSE code, e.g. ``Falls``."""


class LfpseCode(RuleModel):
    """One code of an LFPSE code list (``code`` is absent where the list has no code system)."""

    code: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,16}$")] | None = None
    display: Term


class LfpseCodeList(RuleModel):
    """An LFPSE code list and its codes."""

    code_system: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    terms: tuple[LfpseCode, ...] = Field(min_length=1)


class LfpseFile(RuleModel):
    """``lfpse.json``: the LFPSE code lists used by the taxonomy."""

    schema_version: Literal[1]
    version: Title
    source: Title
    lists: dict[LfpseList, LfpseCodeList] = Field(min_length=1)
