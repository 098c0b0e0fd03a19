"""The sentences of each board pack section, from a period of the governance summary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.reporting.dashboard import formats
from services.reporting.dashboard.view import serious_harm

Json = Mapping[str, Any]


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``1 incident``, ``2 incidents``."""
    return f"{count:,} {singular if count == 1 else many or singular + 's'}"


def _was(count: int) -> str:
    return "was" if count == 1 else "were"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def what_happened(current: Json, before: Json | None) -> tuple[str, ...]:
    """Incidents, complaints, audits and feedback."""
    label, earlier = current["period"]["label"], current["period"]["previous"]
    incidents, complaints = current["incidents"], current["complaints"]
    audits, feedback = current["audits"], current["feedback"]
    moved = formats.change(incidents["total"], incidents["previous_total"], earlier)
    serious = serious_harm(incidents)
    first = (
        f"In {label}, {plural(incidents['total'], 'incident')} {_was(incidents['total'])} "
        f"reported{f' ({moved})' if moved else ''}; {serious:,} caused moderate harm or worse."
    )
    ack = complaints["acknowledged"]
    second = (
        f"{plural(complaints['total'], 'complaint')} {_was(complaints['total'])} received; "
        f"{ack['met_on_time']:,} of {ack['due']:,} acknowledgements due were on time."
    )
    compliance = audits["compliance_pct"]
    third = (
        f"{plural(audits['total'], 'audit')} {_was(audits['total'])} completed"
        + (f" with an average compliance of {formats.percent(compliance)}" if compliance is not None
           else "")
        + f" and {plural(audits['failed_items'], 'failed item')}."
    )  # fmt: skip
    rating = feedback["average_rating"]
    fourth = (
        f"{plural(feedback['total'], 'piece')} of feedback arrived"
        + (f", rated {formats.rating(rating)} on average" if rating is not None else "")
        + f", with {plural(feedback['compliments'], 'compliment')}."
    )
    return first, second, third, fourth


def what_we_learned(current: Json) -> tuple[str, ...]:
    """Themes, learning alerts and lessons."""
    themes = current["incidents"]["top_themes"]
    if themes:
        listed = _joined([f"{t['title'].lower()} ({t['count']})" for t in themes])
        about = f"The most frequent incident themes were {listed}."
    else:
        about = "No incident was linked to a theme."
    alerts, lessons = current["alerts_raised"], current["lessons_shared"]
    return (
        about,
        f"{plural(alerts, 'learning alert')} {_was(alerts)} raised across sites and "
        f"{plural(lessons, 'lesson')} {_was(lessons)} shared.",
    )


def what_we_did(current: Json) -> tuple[str, ...]:
    """Improvement actions opened, completed and escalated."""
    actions = current["actions"]
    return (
        f"{plural(actions['opened'], 'improvement action')} {_was(actions['opened'])} opened, "
        f"{actions['completed']:,} completed and {actions['escalated']:,} escalated.",
    )


def did_it_work(current: Json) -> tuple[str, ...]:
    """Effectiveness reviews and time to complete."""
    actions = current["actions"]
    reviewed, effective = actions["reviewed"], actions["verified_effective"]
    share = actions["share_verified_effective"]
    first = (
        f"{plural(reviewed, 'action')} {_was(reviewed)} reviewed for effectiveness; "
        f"{effective:,} {_was(effective)} verified effective"
        + (f" ({formats.share(share)})." if share is not None else ".")
    )
    median = actions["median_days_to_complete"]
    second = (
        f"Actions completed in the period took a median of {formats.days(median)}."
        if median is not None
        else "No action was completed in the period."
    )
    outcomes = current["outcomes_published"]
    return first, second, f"{plural(outcomes, 'outcome')} {_was(outcomes)} published."


def what_is_overdue(
    current: Json, actions_now: int, obligations_now: int, as_of: str
) -> tuple[str, ...]:
    """Missed due dates in the period, and what is overdue now."""
    missed = current["actions"]["overdue"]
    tallies = current["obligations"]
    due = sum(o["due"] for o in tallies)
    on_time = sum(o["met_on_time"] for o in tallies)
    late = sum(o["met_late"] for o in tallies)
    overdue = sum(o["overdue"] for o in tallies)
    return (
        f"{plural(missed, 'improvement action')} due in {current['period']['label']} "
        f"missed its due date." if missed == 1 else
        f"{plural(missed, 'improvement action')} due in {current['period']['label']} "
        f"missed their due dates.",
        f"Of {plural(due, 'statutory or policy obligation', 'statutory and policy obligations')}"
        f" due, {on_time:,} {_was(on_time)} met on time, {late:,} late and {overdue:,} "
        f"{_was(overdue)} still overdue.",
        f"On {as_of}, {plural(actions_now, 'improvement action')} and "
        f"{plural(obligations_now, 'obligation')} {_was(actions_now + obligations_now)} overdue.",
    )  # fmt: skip


def what_is_rising(current: Json) -> tuple[str, ...]:
    """Themes rising and falling against the previous period."""
    movement = current["themes"]
    earlier = current["period"]["previous"]
    parts = [
        f"{c['title']} rose from {c['previous']} to {c['current']}" for c in movement["rising"]
    ] + [f"{c['title']} fell from {c['previous']} to {c['current']}" for c in movement["falling"]]
    if not parts:
        return (f"No theme rose or fell markedly against {earlier}.",)
    return (f"Against {earlier}: {_joined(parts)}.",)
