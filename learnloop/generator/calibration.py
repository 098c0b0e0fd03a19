"""Reference figures the synthetic provider is calibrated to (domain reference, "Figures for
realistic synthetic data"): incident mix per kind of service, harm, seasons and volumes.

Weights are relative; each table sums to 1 so that it also reads as a share.
"""

from __future__ import annotations

from learnloop.generator.provider import SiteKind
from shared.events import ComplaintCategory as CC
from shared.events import (
    FeedbackKind,
    IncidentCategory,
    LocationDetail,
    MedicationProblem,
    PhysicalHarm,
    PsychologicalHarm,
    ReporterRole,
)

IC, L, R = IncidentCategory, LocationDetail, ReporterRole
Weights = dict[str, float]

INCIDENTS_PER_OCCUPIED_BED_MONTH = 0.45
"""Care homes: about 2 falls per resident per year once the mix is applied."""
INCIDENTS_PER_1000_CARE_HOURS = 1.5
"""Homecare branches."""
INCIDENTS_PER_TENANCY_MONTH = 0.7
"""Supported living services (behaviour-heavy mix)."""
COMPLAINTS_PER_MONTH = {
    SiteKind.CARE_HOME: 0.7,
    SiteKind.HOMECARE: 1.0,
    SiteKind.SUPPORTED_LIVING: 0.3,
}
FEEDBACK_PER_MONTH = {
    SiteKind.CARE_HOME: 10.0,
    SiteKind.HOMECARE: 6.0,
    SiteKind.SUPPORTED_LIVING: 4.0,
}

INCIDENT_MIX: dict[SiteKind, Weights] = {
    # Care homes: falls 35-45%, medication 10-15%, skin/pressure 8-12%, behaviour 8-12%,
    # safeguarding 3-6%, other 15-20%.
    SiteKind.CARE_HOME: {
        IC.FALL: 0.38, IC.MEDICATION: 0.125, IC.PRESSURE_DAMAGE: 0.07, IC.SKIN_DAMAGE: 0.03,
        IC.BEHAVIOUR: 0.10, IC.SAFEGUARDING: 0.045, IC.INFECTION: 0.045, IC.CHOKING: 0.01,
        IC.MISSING_PERSON: 0.005, IC.SELF_HARM: 0.005, IC.EQUIPMENT: 0.02,
        IC.ENVIRONMENT: 0.015, IC.STAFFING: 0.02, IC.OTHER: 0.13,
    },
    SiteKind.HOMECARE: {
        IC.MEDICATION: 0.35, IC.FALL: 0.20, IC.STAFFING: 0.12, IC.SKIN_DAMAGE: 0.06,
        IC.PRESSURE_DAMAGE: 0.04, IC.SAFEGUARDING: 0.06, IC.BEHAVIOUR: 0.03, IC.EQUIPMENT: 0.04,
        IC.ENVIRONMENT: 0.03, IC.INFECTION: 0.01, IC.OTHER: 0.06,
    },
    SiteKind.SUPPORTED_LIVING: {
        IC.BEHAVIOUR: 0.30, IC.MEDICATION: 0.18, IC.FALL: 0.10, IC.SAFEGUARDING: 0.08,
        IC.SELF_HARM: 0.06, IC.MISSING_PERSON: 0.05, IC.ENVIRONMENT: 0.04, IC.SKIN_DAMAGE: 0.03,
        IC.EQUIPMENT: 0.02, IC.INFECTION: 0.02, IC.OTHER: 0.12,
    },
}  # fmt: skip

PHYSICAL_HARM: Weights = {
    # About 93% no or low harm, about 6% moderate, under 1% severe, about 0.4% death.
    PhysicalHarm.NONE: 0.62, PhysicalHarm.LOW: 0.31, PhysicalHarm.MODERATE: 0.058,
    PhysicalHarm.SEVERE: 0.008, PhysicalHarm.FATAL: 0.004,
}  # fmt: skip
PSYCHOLOGICAL_HARM: dict[bool, Weights] = {
    # Keyed by "is a behaviour or safeguarding incident".
    True: {PsychologicalHarm.NONE: 0.45, PsychologicalHarm.LOW: 0.45,
           PsychologicalHarm.MODERATE: 0.08, PsychologicalHarm.SEVERE: 0.02},
    False: {PsychologicalHarm.NONE: 0.85, PsychologicalHarm.LOW: 0.14,
            PsychologicalHarm.MODERATE: 0.01},
}  # fmt: skip
FATAL_CATEGORIES = frozenset({IC.FALL, IC.CHOKING, IC.SELF_HARM, IC.MEDICATION, IC.INFECTION})
"""Categories a fatal incident keeps; any other fatal incident is reported as a death."""

# Where incidents happen (care homes by category; elsewhere mostly in the person's home) and
# who reports them (keyed by "is a nursing home").
PLACES_AT_HOME = {L.SERVICE_USERS_HOME: 0.8, L.COMMUNITY_OR_OUTING: 0.12, L.VEHICLE: 0.03,
                  L.OTHER: 0.05}  # fmt: skip
PLACES_IN_CARE_HOME = {
    IC.FALL: {L.BEDROOM: 0.45, L.BATHROOM_OR_TOILET: 0.2, L.LOUNGE: 0.15,
              L.CORRIDOR_OR_STAIRS: 0.1, L.DINING_ROOM: 0.05, L.GARDEN_OR_GROUNDS: 0.05},
    IC.MEDICATION: {L.DINING_ROOM: 0.35, L.BEDROOM: 0.4, L.OFFICE: 0.25},
    IC.MISSING_PERSON: {L.GARDEN_OR_GROUNDS: 0.4, L.COMMUNITY_OR_OUTING: 0.6},
    IC.STAFFING: {L.OFFICE: 1.0},
    IC.ENVIRONMENT: {L.KITCHEN: 0.3, L.CORRIDOR_OR_STAIRS: 0.3, L.OTHER: 0.4},
}  # fmt: skip
ANYWHERE = {L.BEDROOM: 0.35, L.LOUNGE: 0.2, L.DINING_ROOM: 0.1, L.BATHROOM_OR_TOILET: 0.1,
            L.CORRIDOR_OR_STAIRS: 0.1, L.GARDEN_OR_GROUNDS: 0.05, L.OTHER: 0.1}  # fmt: skip
REPORTERS = {
    True: {R.NURSE: 0.25, R.CARE_WORKER: 0.35, R.SENIOR_CARER: 0.25, R.TEAM_LEADER: 0.05,
           R.DEPUTY_MANAGER: 0.04, R.MANAGER: 0.02, R.AGENCY_WORKER: 0.03, R.ANCILLARY_STAFF: 0.01},
    False: {R.CARE_WORKER: 0.55, R.SENIOR_CARER: 0.25, R.TEAM_LEADER: 0.08,
            R.DEPUTY_MANAGER: 0.05, R.MANAGER: 0.02, R.AGENCY_WORKER: 0.04, R.OTHER: 0.01},
}  # fmt: skip

MEDICATION_PROBLEMS: Weights = {
    MedicationProblem.OMITTED: 0.38, MedicationProblem.TOO_MUCH: 0.10,
    MedicationProblem.TOO_LITTLE: 0.10, MedicationProblem.WRONG_WAY: 0.06,
    MedicationProblem.WRONG_MEDICINE_OR_PACKAGING: 0.14, MedicationProblem.WRONG_PERSON: 0.10,
    MedicationProblem.KNOWN_ALLERGY: 0.02, "none": 0.10,
}  # fmt: skip

SEASON: dict[IncidentCategory, tuple[float, ...]] = {
    # Multiplier by calendar month (January first): more falls and infections in winter.
    IC.FALL: (1.18, 1.15, 1.05, 1.0, 0.95, 0.88, 0.86, 0.88, 0.95, 1.0, 1.08, 1.18),
    IC.INFECTION: (1.9, 1.7, 1.3, 1.0, 0.8, 0.6, 0.55, 0.6, 0.8, 1.1, 1.5, 1.9),
}

COMPLAINT_MIX: dict[SiteKind, Weights] = {
    SiteKind.CARE_HOME: {
        CC.CARE_QUALITY: 0.18, CC.COMMUNICATION: 0.15, CC.STAFF_ATTITUDE: 0.12,
        CC.MEDICATION: 0.07, CC.FOOD_AND_NUTRITION: 0.08, CC.ENVIRONMENT_CLEANLINESS: 0.07,
        CC.FEES_AND_CHARGING: 0.07, CC.SAFEGUARDING: 0.04, CC.DIGNITY_AND_PRIVACY: 0.07,
        CC.ADMISSION_DISCHARGE_TRANSFER: 0.05, CC.LOST_OR_DAMAGED_PROPERTY: 0.07, CC.OTHER: 0.03,
    },
    SiteKind.HOMECARE: {
        CC.MISSED_OR_LATE_VISIT: 0.30, CC.COMMUNICATION: 0.15, CC.CARE_QUALITY: 0.15,
        CC.STAFF_ATTITUDE: 0.12, CC.MEDICATION: 0.08, CC.FEES_AND_CHARGING: 0.07,
        CC.SAFEGUARDING: 0.03, CC.DIGNITY_AND_PRIVACY: 0.05, CC.LOST_OR_DAMAGED_PROPERTY: 0.02,
        CC.OTHER: 0.03,
    },
    SiteKind.SUPPORTED_LIVING: {
        CC.CARE_QUALITY: 0.20, CC.COMMUNICATION: 0.20, CC.STAFF_ATTITUDE: 0.15,
        CC.MEDICATION: 0.08, CC.ENVIRONMENT_CLEANLINESS: 0.08, CC.FEES_AND_CHARGING: 0.06,
        CC.SAFEGUARDING: 0.06, CC.DIGNITY_AND_PRIVACY: 0.09, CC.LOST_OR_DAMAGED_PROPERTY: 0.05,
        CC.OTHER: 0.03,
    },
}  # fmt: skip
COMPLAINTS_UPHELD = 0.55
"""About 55% of adult social care complaints investigated by the ombudsman are upheld."""

FEEDBACK_MIX: Weights = {
    FeedbackKind.COMPLIMENT: 0.45, FeedbackKind.GENERAL: 0.20, FeedbackKind.SUGGESTION: 0.12,
    FeedbackKind.CONCERN: 0.10, FeedbackKind.GOOD_PRACTICE: 0.13,
}  # fmt: skip

NOTIFICATION_POLICY_HOURS = 24
"""CQC notifications are due "without delay"; providers commonly set 24 hours."""
