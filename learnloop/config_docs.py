"""The configuration reference of every LearnLoop process (docs/configuration.md)."""

from __future__ import annotations

from learnloop.ops.settings import OpsSettings
from services.intake.settings import IntakeSettings
from services.learning.settings import LearningSettings
from services.reporting.settings import ReportingSettings
from shared.config_reference import render_reference

SECTIONS = (
    ("Intake service (`learnloop intake serve`)", IntakeSettings),
    ("Learning service (`learnloop learning serve`)", LearningSettings),
    ("Reporting service (`learnloop reporting serve`)", ReportingSettings),
    ("Operator tools (`learnloop ops`)", OpsSettings),
)


def render_all() -> str:
    """Common settings, then each process's own."""
    return render_reference(sections=SECTIONS)
