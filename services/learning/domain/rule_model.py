"""The base of every rule-file model."""

from pydantic import BaseModel, ConfigDict


class RuleModel(BaseModel):
    """A part of a rule file: unknown keys are errors (typos must not pass), values read-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)
