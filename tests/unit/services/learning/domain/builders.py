"""Valid events with chosen fields, built from the shared examples, and tailored rule files."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.learning.domain.rulebook import RULE_FILES, default_rules_directory
from shared.events import AuditCompleted, ComplaintReceived, FeedbackReceived, IncidentReported
from tests.unit.shared.events.examples import (
    as_json_dict,
    audit_completed,
    complaint_received,
    fall_incident,
    feedback_received,
)

JsonDict = dict[str, Any]


def incident(
    *, governance: JsonDict | None = None, people: list[str] | None = None, **data: Any
) -> IncidentReported:
    """The example fall with ``data`` fields replaced; ``people`` lists the roles involved."""
    raw = as_json_dict(fall_incident())
    raw["data"].update(data)
    if governance is not None:
        raw["data"]["governance"] = governance
    if people is not None:
        raw["data"]["people_involved"] = [
            {"role": role, "person_ref": f"PR-{index:04d}"} for index, role in enumerate(people)
        ]
    return IncidentReported.model_validate(raw)


def complaint(**data: Any) -> ComplaintReceived:
    """The example complaint with ``data`` fields replaced."""
    raw = as_json_dict(complaint_received())
    raw["data"].update(data)
    return ComplaintReceived.model_validate(raw)


def audit(*items: tuple[str, str, str | None], audit_type: str = "medication") -> AuditCompleted:
    """The example audit with items given as ``(question, answer, comment)``."""
    raw = as_json_dict(audit_completed())
    raw["data"].pop("score", None)
    raw["data"]["audit_type"] = audit_type
    raw["data"]["items"] = [
        {"item_id": f"Q-{index:02d}", "question": question, "answer": answer}
        | ({"comment": comment} if comment else {})
        for index, (question, answer, comment) in enumerate(items, start=1)
    ]
    return AuditCompleted.model_validate(raw)


def feedback(**data: Any) -> FeedbackReceived:
    """The example feedback with ``data`` fields replaced."""
    raw = as_json_dict(feedback_received())
    raw["data"].update(data)
    return FeedbackReceived.model_validate(raw)


def tailored_rules(directory: Path, file_name: str, change: Callable[[JsonDict], None]) -> Path:
    """A copy of the shipped rule files in ``directory`` with one file changed by ``change``."""
    shipped = default_rules_directory()
    for name in RULE_FILES:
        (directory / name).write_text(shipped.joinpath(name).read_text(encoding="utf-8"))
    target = directory / file_name
    document = json.loads(target.read_text())
    change(document)
    target.write_text(json.dumps(document, indent=2))
    return directory
