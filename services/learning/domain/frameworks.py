"""CQC assessment frameworks as versioned data: key questions and their quality statements.

``saf-2023`` is the Single Assessment Framework in force since 2023 (34 quality statements).
``draft-2026`` holds the 24 key lines of enquiry of CQC's 2026 consultation draft, whose titles
are marked unverified. Reports choose a framework by id.
"""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.learning.domain.rule_model import RuleModel

FrameworkId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
"""Id of a framework version, e.g. ``saf-2023``."""

KeyQuestionId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*$")]
"""Id of a key question, e.g. ``well_led``."""

StatementId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]*\.[a-z0-9_]+$")]
"""Id of a quality statement: its key question, a dot, a short name (``safe.safeguarding``)."""

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class QualityStatement(RuleModel):
    """A quality statement (or, in the draft, a key line of enquiry)."""

    id: StatementId
    title: Title


class KeyQuestion(RuleModel):
    """One of the five key questions and the statements assessed under it."""

    id: KeyQuestionId
    title: Title
    statements: tuple[QualityStatement, ...] = Field(min_length=1)


class Framework(RuleModel):
    """One version of CQC's assessment framework."""

    id: FrameworkId
    title: Title
    status: Literal["in_force", "draft", "superseded"]
    item_kind: Literal["quality_statement", "key_line_of_enquiry"]
    verified: bool = Field(description="False when the titles come from an unofficial source.")
    source: Title
    key_questions: tuple[KeyQuestion, ...] = Field(min_length=1)

    @property
    def statements(self) -> dict[str, QualityStatement]:
        """Every statement of the framework by id, in framework order."""
        return {
            statement.id: statement
            for question in self.key_questions
            for statement in question.statements
        }


class FrameworksFile(RuleModel):
    """``frameworks.json``."""

    schema_version: Literal[1]
    version: Title
    frameworks: tuple[Framework, ...] = Field(min_length=1)
