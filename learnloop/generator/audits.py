"""Drafting one completed audit: the tool's questions answered Yes / No / N/A."""

from __future__ import annotations

import random
from datetime import timedelta

from learnloop.generator.audit_programme import MONTHS_BETWEEN, AuditTool
from learnloop.generator.chance import chance, one_of, pick
from learnloop.generator.events import Draft, moment
from learnloop.generator.narratives import AUDIT_COMMENTS, AUDIT_EVIDENCE
from learnloop.generator.provider import Site
from learnloop.generator.scenario import ScenarioConfig, Story
from shared.events import (
    Audit,
    AuditAnswer,
    AuditFrequency,
    AuditItem,
    AuditorRole,
    AuditType,
)

AR = AuditorRole
AUDITORS = {AR.REGISTERED_MANAGER: 0.25, AR.DEPUTY_MANAGER: 0.35, AR.QUALITY_LEAD: 0.15,
            AR.SENIOR_CARER: 0.15, AR.OTHER: 0.1}  # fmt: skip
NURSING_AUDITORS = AUDITORS | {AR.CLINICAL_LEAD: 0.1, AR.NURSE: 0.05}
EXTERNAL = {AuditType.FIRE_SAFETY, AuditType.LEGIONELLA}
WORKING_HOURS = (0,) * 9 + (1,) * 8 + (0,) * 7
NOT_APPLICABLE = 0.04
DAYS_AT_MONTH_END = 7


def draft_audit(
    rng: random.Random,
    site: Site,
    tool: AuditTool,
    month: int,
    config: ScenarioConfig,
    story: Story,
) -> Draft:
    """``tool`` completed at ``site`` in the last week of month ``month`` (0-based)."""
    end = config.month_bounds(month)[1]
    time = moment(rng, end - timedelta(days=DAYS_AT_MONTH_END), DAYS_AT_MONTH_END, WORKING_HOURS)
    period_start = config.month_bounds(month - MONTHS_BETWEEN[tool.frequency] + 1)[0]
    compliance = site.audit_compliance + story.audit_compliance_shift(site, tool.audit_type, month)
    compliance = min(0.995, max(0.3, compliance + rng.gauss(0, 0.03)))
    audit = Audit(
        audit_type=tool.audit_type,
        frequency=tool.frequency,
        completed_at=time - timedelta(seconds=rng.randrange(60, 1800)),
        auditor_role=_auditor(rng, site, tool),
        period_start=period_start.date(),
        period_end=(end - timedelta(days=1)).date(),
        items=[
            _item(rng, f"{tool.prefix}-{number:02d}", question, compliance)
            for number, question in enumerate(tool.questions, start=1)
        ],
    )
    return Draft(time, site, audit)


def _item(rng: random.Random, item_id: str, question: str, compliance: float) -> AuditItem:
    if chance(rng, NOT_APPLICABLE):
        return AuditItem(item_id=item_id, question=question, answer=AuditAnswer.NOT_APPLICABLE)
    met = chance(rng, compliance)
    return AuditItem(
        item_id=item_id,
        question=question,
        answer=AuditAnswer.YES if met else AuditAnswer.NO,
        comment=None if met else one_of(rng, AUDIT_COMMENTS),
        evidence=one_of(rng, AUDIT_EVIDENCE) if chance(rng, 0.5) else None,
    )


def _auditor(rng: random.Random, site: Site, tool: AuditTool) -> AuditorRole:
    if tool.audit_type in EXTERNAL and chance(rng, 0.6):
        return AR.EXTERNAL_AUDITOR
    if tool.audit_type is AuditType.MEDICATION and chance(rng, 0.1):
        return AR.PHARMACIST
    if tool.frequency is AuditFrequency.ANNUAL and chance(rng, 0.3):
        return AR.QUALITY_LEAD
    return pick(rng, NURSING_AUDITORS if site.nursing else AUDITORS)
