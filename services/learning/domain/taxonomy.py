"""Themes: what an incident, complaint, audit or piece of feedback is about.

Each theme maps to LFPSE terms and, per framework version, to CQC quality statements, so that
learning can be reported in the national vocabulary and against the regulator's framework.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.learning.domain.frameworks import FrameworkId, StatementId, Title
from services.learning.domain.lfpse import LfpseList, Term
from services.learning.domain.rule_model import RuleModel

ThemeId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
"""Id of a theme, e.g. ``pressure_damage``."""


class LfpseTerm(RuleModel):
    """A term of one LFPSE code list."""

    list: LfpseList
    term: Term


class Theme(RuleModel):
    """A learning theme and where it sits in LFPSE and the CQC frameworks."""

    id: ThemeId
    title: Title
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    lfpse: tuple[LfpseTerm, ...] = ()
    quality_statements: dict[FrameworkId, tuple[StatementId, ...]] = Field(
        description="Quality statement ids per framework id; every framework must be mapped."
    )


class TaxonomyFile(RuleModel):
    """``taxonomy.json``."""

    schema_version: Literal[1]
    version: Title
    themes: tuple[Theme, ...] = Field(min_length=1)
