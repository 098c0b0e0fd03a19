"""Which facts open or extend improvement actions, and when alerts are raised (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.learning.domain.action_rules import ActionRules, load_action_rules
from services.learning.domain.actions import (
    AlertDecision,
    SiteHistory,
    action_id_for,
    decide_actions,
    decide_alert,
    is_negative_feedback,
    is_serious_harm,
)
from shared.events import AuditCompleted, ComplaintResolved, FeedbackReceived
from tests.unit.services.learning.domain.builders import incident
from tests.unit.shared.events.examples import as_json_dict, audit_completed, feedback_received

NOW = datetime(2025, 3, 14, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules() -> ActionRules:
    return load_action_rules()


def history(**kwargs: Any) -> SiteHistory:
    return SiteHistory(
        theme_counts=kwargs.get("counts", {}),
        open_actions=kwargs.get("open", {}),
        negative_feedback=kwargs.get("negative", 0),
    )


def feedback(rating: int) -> FeedbackReceived:
    raw = as_json_dict(feedback_received())
    raw["data"]["rating"] = rating
    raw["data"]["kind"] = "concern"
    return FeedbackReceived.model_validate(raw)


def audit(answers: list[str]) -> AuditCompleted:
    raw = as_json_dict(audit_completed())
    raw["data"].pop("score", None)
    raw["data"]["items"] = [
        {"item_id": f"q{i}", "question": f"Question {i}", "answer": answer}
        for i, answer in enumerate(answers)
    ]
    return AuditCompleted.model_validate(raw)


@pytest.mark.parametrize(
    ("physical", "psychological", "serious", "due_in"),
    [
        ("none", "none", False, None),
        ("low", "low", False, None),
        ("moderate", "none", True, "moderate"),
        ("none", "moderate", True, "moderate"),
        ("none", "severe", True, "severe"),
        ("severe", "none", True, "severe"),
    ],
)
def test_harm_at_or_above_the_threshold_opens_a_review_action_due_by_severity(
    rules: ActionRules, physical: str, psychological: str, serious: bool, due_in: str | None
) -> None:
    event = incident(physical_harm=physical, psychological_harm=psychological)
    decisions = decide_actions(event, [], history(), rules, now=NOW)
    assert is_serious_harm(event, rules) is serious
    assert [d.action_key for d in decisions] == ([f"harm:{event.id}"] if serious else [])
    if serious:
        assert decisions[0].verb == "open"
        days = getattr(rules.due_days, str(due_in))
        assert decisions[0].due_at == NOW + timedelta(days=days)


def test_theme_below_the_recurrence_threshold_opens_nothing(rules: ActionRules) -> None:
    counts = {"falls": rules.theme_recurrence.events - 1}
    assert decide_actions(incident(), ["falls"], history(counts=counts), rules, now=NOW) == []


def test_theme_reaching_the_threshold_opens_one_action(rules: ActionRules) -> None:
    event = incident()
    counts = {"falls": rules.theme_recurrence.events}
    [decision] = decide_actions(event, ["falls"], history(counts=counts), rules, now=NOW)
    assert (decision.verb, decision.action_key, decision.theme_id) == (
        "open",
        "theme:falls",
        "falls",
    )
    assert decision.rule_id == rules.theme_recurrence.rule_id
    assert decision.action_id == action_id_for(event.siteid, "theme:falls", event.id)


def test_fact_fitting_an_open_action_is_linked_not_opened_again(rules: ActionRules) -> None:
    open_actions = {"theme:falls": "act-1"}
    [decision] = decide_actions(
        incident(), ["falls"], history(counts={"falls": 1}, open=open_actions), rules, now=NOW
    )
    assert (decision.verb, decision.action_id) == ("link", "act-1")


def test_action_ids_are_stable_across_reprocessing() -> None:
    assert action_id_for("s-1", "theme:falls", "e-1") == action_id_for("s-1", "theme:falls", "e-1")
    assert action_id_for("s-1", "theme:falls", "e-1") != action_id_for("s-2", "theme:falls", "e-1")


def test_audit_under_the_score_threshold_opens_an_audit_action(rules: ActionRules) -> None:
    failing = audit(["yes", "no", "no", "yes"])  # 50%
    [decision] = decide_actions(failing, [], history(), rules, now=NOW)
    assert decision.action_key == f"audit:{failing.data.audit_type.value}"
    passing = audit(["yes"] * 9 + ["not_applicable"])
    assert decide_actions(passing, [], history(), rules, now=NOW) == []


def test_negative_feedback_trend_opens_an_action(rules: ActionRules) -> None:
    poor = feedback(1)
    assert is_negative_feedback(poor, rules)
    assert not is_negative_feedback(feedback(5), rules)
    below = history(negative=rules.negative_feedback.events - 1)
    assert decide_actions(poor, [], below, rules, now=NOW) == []
    at = history(negative=rules.negative_feedback.events)
    [decision] = decide_actions(poor, [], at, rules, now=NOW)
    assert decision.action_key == "feedback:negative"


def test_alert_needs_enough_sites_and_none_already_raised(rules: ActionRules) -> None:
    enough = {f"site-{i}": 2 for i in range(rules.alerts.sites)}
    too_few = dict(list(enough.items())[:-1])

    def alert_for(sites: dict[str, int], alerted: set[str]) -> AlertDecision | None:
        return decide_alert(
            theme_id="falls", region="north", sites_in_window=sites, already_alerted=alerted,
            rules=rules, event_id="e-9",
        )  # fmt: skip

    assert alert_for(too_few, set()) is None
    assert alert_for(enough, {"falls"}) is None
    alert = alert_for(enough, set())
    assert alert is not None
    assert alert.site_ids == tuple(sorted(enough))
    assert alert.event_count == 2 * rules.alerts.sites


@pytest.mark.parametrize(
    ("outcome", "opens"),
    [("upheld", True), ("partly_upheld", True), ("not_upheld", False), ("withdrawn", False)],
)
def test_an_upheld_complaint_opens_an_action(rules: ActionRules, outcome: str, opens: bool) -> None:
    resolved = ComplaintResolved.model_validate(
        {
            "source": "/providers/harbour-care/complaints", "providerid": "harbour-care",
            "siteid": "rosewood-house", "region": "north-west",
            "data": {"complaint_event_id": "cmp-1", "outcome": outcome,
                     "responded_at": "2025-04-01T10:00:00+00:00"},
        }
    )  # fmt: skip
    decisions = decide_actions(resolved, [], history(), rules, now=NOW)
    assert [d.action_key for d in decisions] == (["complaint:cmp-1"] if opens else [])
    if opens:
        assert decisions[0].due_at == NOW + timedelta(days=rules.due_days.complaint)
