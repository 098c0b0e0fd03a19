"""Reporting cross-field problems as field-level pydantic validation errors.

A model validator that finds several inconsistent fields raises one ``ValidationError`` whose
errors point at the offending fields (e.g. ``("data", "physical_harm")`` once nested in an
envelope), instead of a single error on the whole model.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

ERROR_TYPE = "consistency"
"""The pydantic error ``type`` used for every cross-field problem."""


@dataclass(frozen=True)
class Problem:
    """One cross-field inconsistency, located at the field a reporter should correct."""

    loc: tuple[str | int, ...]
    message: str
    input: object


def raise_problems(title: str, problems: Sequence[Problem]) -> None:
    """Raise a ``ValidationError`` listing ``problems``; do nothing when there are none."""
    if not problems:
        return
    raise ValidationError.from_exception_data(
        title,
        [
            InitErrorDetails(
                type=PydanticCustomError(ERROR_TYPE, "{detail}", {"detail": problem.message}),
                loc=problem.loc,
                input=problem.input,
            )
            for problem in problems
        ],
    )
