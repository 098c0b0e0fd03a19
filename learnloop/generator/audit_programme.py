"""The audit programme of a typical care home (domain reference), its tools and schedule.

Each audit tool is a short list of Yes / No / N/A questions. Homecare branches and supported
living services run a subset of the programme.
"""

from __future__ import annotations

from dataclasses import dataclass

from learnloop.generator.provider import Site, SiteKind
from shared.events import AuditFrequency, AuditType

A, F = AuditType, AuditFrequency
MONTHS_BETWEEN = {F.MONTHLY: 1, F.QUARTERLY: 3, F.SIX_MONTHLY: 6, F.ANNUAL: 12}


@dataclass(frozen=True)
class AuditTool:
    """The questions of one audit type, with the prefix of their item ids."""

    audit_type: AuditType
    frequency: AuditFrequency
    prefix: str
    questions: tuple[str, ...]


TOOLS = {
    tool.audit_type: tool
    for tool in (
        AuditTool(A.MEDICATION, F.MONTHLY, "MED", (
            "MAR charts signed for every dose given", "Controlled drugs register balanced",
            "Fridge temperatures recorded daily", "PRN protocols in place",
            "Covert medication authorised", "Topical medicines charts in place")),
        AuditTool(A.INFECTION_PREVENTION_CONTROL, F.MONTHLY, "IPC", (
            "Hand hygiene observed at key moments", "PPE stocked at point of care",
            "Cleaning schedules signed", "Sharps bins below fill line")),
        AuditTool(A.FALLS_AND_INCIDENTS, F.MONTHLY, "FAL", (
            "Falls risk assessment reviewed monthly", "Post-falls observations completed",
            "Sensor equipment checked", "Incident forms reviewed by the manager")),
        AuditTool(A.CARE_PLAN_QUALITY, F.MONTHLY, "CPL", (
            "Care plan reviewed in the last month", "Person's preferences recorded",
            "Consent recorded", "Risk assessments current")),
        AuditTool(A.CALL_BELL_RESPONSE, F.MONTHLY, "CBR", (
            "Calls answered within five minutes", "Call bells within reach", "Response log kept")),
        AuditTool(A.WEIGHT_NUTRITION, F.MONTHLY, "NUT", (
            "Weights recorded monthly", "MUST score reviewed", "Food and fluid charts complete")),
        AuditTool(A.PRESSURE_AREA_CARE, F.MONTHLY, "PAC", (
            "Repositioning charts complete", "Mattress settings match weight",
            "Skin inspection recorded")),
        AuditTool(A.HEALTH_AND_SAFETY, F.QUARTERLY, "HS", (
            "Water temperatures checked", "Window restrictors fitted", "COSHH cupboard locked")),
        AuditTool(A.STAFFING_DEPENDENCY, F.QUARTERLY, "STF", (
            "Dependency tool completed", "Rota meets assessed hours", "Agency use recorded")),
        AuditTool(A.MCA_DOLS, F.QUARTERLY, "MCA", (
            "Capacity assessments decision-specific", "DoLS applications tracked",
            "Best-interest decisions recorded")),
        AuditTool(A.COMPLAINTS_COMPLIMENTS, F.QUARTERLY, "CMP", (
            "Complaints acknowledged within 3 working days", "Responses sent on time",
            "Compliments shared with staff")),
        AuditTool(A.DIGNITY, F.QUARTERLY, "DIG", (
            "Doors closed during personal care", "People addressed by preferred name",
            "Clothing clean and own")),
        AuditTool(A.MEALTIME_EXPERIENCE, F.QUARTERLY, "MTE", (
            "Choice of meal offered", "Assistance given discreetly", "Drinks within reach")),
        AuditTool(A.SAFEGUARDING, F.SIX_MONTHLY, "SG", (
            "Safeguarding log up to date", "Referrals made same day", "Staff know how to raise")),
        AuditTool(A.TRAINING_COMPLIANCE, F.SIX_MONTHLY, "TRN", (
            "Mandatory training above 90%", "Medication competencies current",
            "Moving and handling refreshers booked")),
        AuditTool(A.RECRUITMENT_FILES, F.SIX_MONTHLY, "REC", (
            "DBS check on file", "Two references on file", "Right to work checked")),
        AuditTool(A.INFORMATION_GOVERNANCE, F.SIX_MONTHLY, "IG", (
            "Records stored securely", "Data protection training current", "Screens locked")),
        AuditTool(A.FIRE_SAFETY, F.ANNUAL, "FIR", (
            "Fire risk assessment current", "PEEPs in place", "Fire drills recorded")),
        AuditTool(A.LEGIONELLA, F.ANNUAL, "LEG", (
            "Legionella risk assessment current", "Little-used outlets flushed weekly")),
        AuditTool(A.BUSINESS_CONTINUITY, F.ANNUAL, "BCP", (
            "Continuity plan tested", "Emergency contacts current")),
        AuditTool(A.SURVEYS, F.ANNUAL, "SUR", (
            "Resident survey completed", "Staff survey completed", "Results shared")),
        AuditTool(A.POLICY_REVIEW, F.ANNUAL, "POL", (
            "Policies reviewed in date", "Staff signed key policies")),
    )
}  # fmt: skip

HOMECARE_PROGRAMME = frozenset({
    A.MEDICATION, A.INFECTION_PREVENTION_CONTROL, A.CARE_PLAN_QUALITY, A.STAFFING_DEPENDENCY,
    A.MCA_DOLS, A.COMPLAINTS_COMPLIMENTS, A.DIGNITY, A.SAFEGUARDING, A.TRAINING_COMPLIANCE,
    A.RECRUITMENT_FILES, A.INFORMATION_GOVERNANCE, A.BUSINESS_CONTINUITY, A.SURVEYS,
    A.POLICY_REVIEW,
})  # fmt: skip
SUPPORTED_LIVING_PROGRAMME = HOMECARE_PROGRAMME | {A.HEALTH_AND_SAFETY, A.FIRE_SAFETY, A.LEGIONELLA}
ANNUAL_ORDER = (A.FIRE_SAFETY, A.LEGIONELLA, A.BUSINESS_CONTINUITY, A.SURVEYS, A.POLICY_REVIEW)


def programme(site: Site) -> list[AuditTool]:
    """The audit tools a site runs (pressure-area care only in nursing homes)."""
    if site.kind is SiteKind.HOMECARE:
        wanted: frozenset[AuditType] = HOMECARE_PROGRAMME
    elif site.kind is SiteKind.SUPPORTED_LIVING:
        wanted = SUPPORTED_LIVING_PROGRAMME
    else:
        wanted = frozenset(TOOLS) - (set() if site.nursing else {A.PRESSURE_AREA_CARE})
    return [tool for audit_type, tool in TOOLS.items() if audit_type in wanted]


def is_due(tool: AuditTool, month: int, site: Site) -> bool:
    """Whether ``tool`` is completed in month ``month`` (0-based) at ``site``.

    Longer cycles end on the month before a multiple of their length; annual audits are
    spread over the year, staggered by site, so no month carries all of them.
    """
    every = MONTHS_BETWEEN[tool.frequency]
    if tool.frequency is F.ANNUAL:
        slot = (ANNUAL_ORDER.index(tool.audit_type) * 2 + site.number) % 12
        return month % 12 == slot
    return month % every == every - 1
