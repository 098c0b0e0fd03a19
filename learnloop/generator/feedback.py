"""Drafting one piece of feedback: compliments, good practice, suggestions, concerns."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from learnloop.generator.calibration import FEEDBACK_MIX
from learnloop.generator.chance import chance, one_of, pick
from learnloop.generator.events import Draft, TruthNote, moment, staff_member
from learnloop.generator.narratives import FEEDBACK_TEXTS, FEEDBACK_TOPICS, with_contact_detail
from learnloop.generator.provider import Site
from learnloop.generator.scenario import ScenarioConfig
from shared.events import Feedback, FeedbackKind, FeedbackSource

K, S = FeedbackKind, FeedbackSource
SOURCES = {
    K.COMPLIMENT: {S.RELATIVE: 0.5, S.SERVICE_USER: 0.2, S.VISITING_PROFESSIONAL: 0.1,
                   S.ONLINE_REVIEW: 0.1, S.SURVEY: 0.1},
    K.GOOD_PRACTICE: {S.STAFF: 0.5, S.VISITING_PROFESSIONAL: 0.4, S.COMMISSIONER: 0.1},
    K.SUGGESTION: {S.RELATIVE: 0.4, S.SERVICE_USER: 0.3, S.STAFF: 0.2, S.SURVEY: 0.1},
    K.CONCERN: {S.RELATIVE: 0.6, S.SERVICE_USER: 0.2, S.ONLINE_REVIEW: 0.2},
    K.GENERAL: {S.SURVEY: 0.4, S.RELATIVE: 0.3, S.ONLINE_REVIEW: 0.2, S.OTHER: 0.1},
}  # fmt: skip
RATINGS: dict[FeedbackKind, dict[int, float]] = {
    K.COMPLIMENT: {5: 0.7, 4: 0.3},
    K.GOOD_PRACTICE: {5: 0.8, 4: 0.2},
    K.SUGGESTION: {3: 0.4, 4: 0.6},
    K.CONCERN: {1: 0.3, 2: 0.45, 3: 0.25},
    K.GENERAL: {2: 0.1, 3: 0.3, 4: 0.4, 5: 0.2},
}
RATED = {K.GOOD_PRACTICE: 0.4}
"""Chance that feedback of a kind comes with a rating (otherwise 0.8)."""
DAYTIME = (1,) * 7 + (2,) * 15 + (1,) * 2


def draft_feedback(
    rng: random.Random, site: Site, month: tuple[datetime, datetime], config: ScenarioConfig
) -> Draft:
    """Feedback about ``site`` received during ``month`` (start, end)."""
    time = moment(rng, month[0], (month[1] - month[0]).days, DAYTIME)
    kind = FeedbackKind(pick(rng, FEEDBACK_MIX))
    source = pick(rng, SOURCES[kind])
    rating = pick(rng, RATINGS[kind]) if chance(rng, RATED.get(kind, 0.8)) else None
    text: str | None = one_of(rng, FEEDBACK_TEXTS[kind])
    if rating is not None and source is S.SURVEY and chance(rng, 0.4):
        text = None  # a tick-box survey answer
    probe: tuple[str, str] | None = None
    if text is not None and chance(rng, config.redaction_probe_rate):
        text, found = with_contact_detail(rng, text)
        probe = ("data.text", found)
    named = kind in (K.COMPLIMENT, K.GOOD_PRACTICE) and chance(rng, 0.3)
    feedback = Feedback(
        received_at=time - timedelta(seconds=rng.randrange(10, 600)),
        source=source,
        kind=kind,
        rating=rating,
        text=text,
        topics=rng.sample(FEEDBACK_TOPICS, rng.randrange(3)),
        about_staff_ref=staff_member(rng, site) if named else None,
    )
    return Draft(time, site, feedback, TruthNote(redaction_probe=probe))
