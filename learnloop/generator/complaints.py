"""Drafting one complaint: who made it, how, about what, and (in the ground truth) its outcome."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from learnloop.generator.calibration import COMPLAINT_MIX
from learnloop.generator.chance import chance, one_of, pick
from learnloop.generator.events import Draft, TruthNote, moment, person_ref, service_user
from learnloop.generator.narratives import COMPLAINT_TEXTS, DESIRED_OUTCOMES, with_contact_detail
from learnloop.generator.provider import Site, SiteKind
from learnloop.generator.scenario import ScenarioConfig
from shared.events import (
    ComplainantType,
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintSeverity,
    FundingSource,
)

C, CH, S, FS = ComplainantType, ComplaintChannel, ComplaintSeverity, FundingSource
COMPLAINANTS = {C.RELATIVE: 0.55, C.SERVICE_USER: 0.15, C.ADVOCATE: 0.04, C.PROFESSIONAL: 0.06,
                C.COMMISSIONER: 0.05, C.STAFF: 0.04, C.ANONYMOUS: 0.08, C.OTHER: 0.03}  # fmt: skip
REF_PREFIXES = {C.RELATIVE: "RL", C.ADVOCATE: "AD", C.PROFESSIONAL: "PR", C.COMMISSIONER: "CM",
                C.STAFF: "ST", C.OTHER: "OT"}  # fmt: skip
CHANNELS = {CH.EMAIL: 0.3, CH.PHONE: 0.2, CH.WRITTEN: 0.15, CH.VERBAL: 0.12, CH.IN_PERSON: 0.08,
            CH.ONLINE_FORM: 0.07, CH.VIA_LOCAL_AUTHORITY: 0.04, CH.VIA_CQC: 0.02,
            CH.VIA_OMBUDSMAN: 0.01, CH.OTHER: 0.01}  # fmt: skip
SEVERITIES = {S.LOW: 0.45, S.MEDIUM: 0.40, S.HIGH: 0.15}
FUNDING = {
    SiteKind.CARE_HOME: {FS.SELF_FUNDED: 0.4, FS.LOCAL_AUTHORITY: 0.4, FS.NHS: 0.1,
                         FS.MIXED: 0.08, FS.UNKNOWN: 0.02},
    SiteKind.HOMECARE: {FS.LOCAL_AUTHORITY: 0.65, FS.SELF_FUNDED: 0.2, FS.NHS: 0.08,
                        FS.UNKNOWN: 0.07},
    SiteKind.SUPPORTED_LIVING: {FS.LOCAL_AUTHORITY: 0.8, FS.NHS: 0.15, FS.UNKNOWN: 0.05},
}  # fmt: skip
OFFICE_HOURS = (0,) * 8 + (3, 5, 5, 5, 4, 5, 5, 5, 4, 3, 1, 1, 1, 0)


def draft_complaint(
    rng: random.Random, site: Site, month: tuple[datetime, datetime], config: ScenarioConfig
) -> Draft:
    """A complaint about ``site`` received during ``month`` (start, end)."""
    time = moment(rng, month[0], (month[1] - month[0]).days, OFFICE_HOURS)
    category = ComplaintCategory(pick(rng, COMPLAINT_MIX[site.kind]))
    complainant = pick(rng, COMPLAINANTS)
    subject = service_user(rng, site) if chance(rng, 0.9) else None
    summary = COMPLAINT_TEXTS[category]
    probe: tuple[str, str] | None = None
    if chance(rng, config.redaction_probe_rate):
        summary, kind = with_contact_detail(rng, summary)
        probe = ("data.summary", kind)
    received: datetime | date = time - timedelta(seconds=rng.randrange(60, 7200))
    if chance(rng, 0.15):  # only the day is known, e.g. a verbal complaint written up later
        received = (time - timedelta(days=rng.randrange(3))).date()
    severity = S.HIGH if category is ComplaintCategory.SAFEGUARDING else pick(rng, SEVERITIES)
    wanted = one_of(rng, DESIRED_OUTCOMES) if chance(rng, 0.7) else None
    received_on = received.date() if isinstance(received, datetime) else received
    happened = received_on - timedelta(days=rng.randrange(45)) if chance(rng, 0.8) else None
    complaint = Complaint(
        received_at=received,
        channel=pick(rng, CHANNELS),
        complainant_type=complainant,
        complainant_ref=_complainant_ref(rng, site, complainant, subject),
        subject_person_ref=subject,
        category=category,
        summary=summary,
        severity=severity,
        desired_outcome=wanted,
        event_date=happened,
        is_funded_by=pick(rng, FUNDING[site.kind]),
    )
    upheld = chance(rng, config.complaints_upheld_rate)
    return Draft(time, site, complaint, TruthNote(complaint_upheld=upheld, redaction_probe=probe))


def _complainant_ref(
    rng: random.Random, site: Site, complainant: ComplainantType, subject: str | None
) -> str | None:
    if complainant is C.ANONYMOUS:
        return None
    if complainant is C.SERVICE_USER:
        return subject or service_user(rng, site)
    return person_ref(REF_PREFIXES[complainant], site, rng.randrange(1, 400))
