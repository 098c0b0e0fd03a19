"""Reading dotted field paths of events, and describing them on the event models."""

from datetime import date, datetime
from types import NoneType

import pytest

from services.learning.domain.event_paths import (
    as_scalar,
    data_model_for,
    field_shape,
    is_sensitive,
    values_at,
)
from shared.events import Audit, Complaint, Incident, IncidentCategory, PersonRole
from tests.unit.shared.events.examples import audit_completed, medication_incident


def test_values_at_expands_lists_with_concrete_paths() -> None:
    data = medication_incident().data
    assert values_at(data, "people_involved.role") == [
        ("people_involved[0].role", PersonRole.SERVICE_USER),
        ("people_involved[1].role", PersonRole.STAFF),
    ]
    assert values_at(data, "governance.pressure_ulcer_grade") == []
    assert values_at(data, "category") == [("category", IncidentCategory.MEDICATION)]


def test_values_at_walks_audit_items() -> None:
    answers = values_at(audit_completed().data, "items.answer")
    assert [path for path, _ in answers] == [f"items[{i}].answer" for i in range(5)]


def test_field_shape_describes_enums_lists_and_optional_fields() -> None:
    category = field_shape(Incident, "category")
    assert category.enum_values >= {"fall", "medication"}
    assert category.accepts("fall") and not category.accepts("fal") and not category.accepts(True)
    grade = field_shape(Incident, "governance.pressure_ulcer_grade")
    assert grade.is_numeric and NoneType in grade.leaf_types and grade.accepts("unstageable")
    roles = field_shape(Incident, "people_involved.role")
    assert roles.list_prefix == "people_involved"
    comment = field_shape(Audit, "items.comment")
    assert comment.list_prefix == "items" and comment.element_model is not None
    received = field_shape(Complaint, "received_at")
    assert received.holds_only(date) and datetime in received.leaf_types


def test_field_shape_names_the_missing_step() -> None:
    with pytest.raises(KeyError, match=r"governance\.fell"):
        field_shape(Incident, "governance.fell.down")


def test_sensitive_fields_are_recognised() -> None:
    assert is_sensitive(Incident, "description")
    assert is_sensitive(Audit, "items.comment")
    assert not is_sensitive(Audit, "items.question")


def test_data_models_by_event_type() -> None:
    assert data_model_for("incident.reported") is Incident
    assert data_model_for("complaint.received") is Complaint


def test_scalars_are_plain_json_values() -> None:
    assert as_scalar(IncidentCategory.FALL) == "fall"
    assert as_scalar(3) == 3
    assert as_scalar(None) is None
    assert as_scalar(date(2025, 1, 1)) is None
