"""Code lists used to classify incidents in care settings.

Harm levels, involved agents and medication problems follow the NHS England LFPSE taxonomy (v5);
the categories are a care-home focused set inspired by LFPSE safety challenges. The lists are
part of the versioned ``incident.reported`` contract: changing them means a new schema version.
"""

from enum import StrEnum


class ReporterRole(StrEnum):
    """Role of the person who reported the incident."""

    CARE_WORKER = "care_worker"
    SENIOR_CARER = "senior_carer"
    NURSE = "nurse"
    TEAM_LEADER = "team_leader"
    DEPUTY_MANAGER = "deputy_manager"
    MANAGER = "manager"
    ANCILLARY_STAFF = "ancillary_staff"
    AGENCY_WORKER = "agency_worker"
    OTHER = "other"


class IncidentCategory(StrEnum):
    """What kind of incident happened (care-home focused, inspired by LFPSE)."""

    FALL = "fall"
    MEDICATION = "medication"
    PRESSURE_DAMAGE = "pressure_damage"
    SKIN_DAMAGE = "skin_damage"
    BEHAVIOUR = "behaviour"
    SAFEGUARDING = "safeguarding"
    INFECTION = "infection"
    MISSING_PERSON = "missing_person"
    CHOKING = "choking"
    SELF_HARM = "self_harm"
    EQUIPMENT = "equipment"
    ENVIRONMENT = "environment"
    STAFFING = "staffing"
    DEATH = "death"
    OTHER = "other"


class PhysicalHarm(StrEnum):
    """LFPSE physical harm level."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"
    FATAL = "fatal"


class PsychologicalHarm(StrEnum):
    """LFPSE psychological harm level (there is no 'fatal' level)."""

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    SEVERE = "severe"


class InvolvedAgent(StrEnum):
    """LFPSE involved agents: what, besides people, was involved in the incident."""

    MEDICATIONS = "medications"
    DEVICES = "devices"
    IT_SYSTEMS_OR_SOFTWARE = "it_systems_or_software"
    BUILDINGS_OR_INFRASTRUCTURE = "buildings_or_infrastructure"
    ESTATES_SERVICES = "estates_services"
    BLOOD = "blood"
    BLOOD_PRODUCTS = "blood_products"
    TISSUES_OR_ORGANS_FOR_TRANSPLANT = "tissues_or_organs_for_transplant"
    NONE_OF_THE_ABOVE = "none_of_the_above"


class MedicationProblem(StrEnum):
    """LFPSE medication problem, with the sub-codes most used in care homes."""

    TOO_MUCH = "too_much"
    TOO_LITTLE = "too_little"
    WRONG_WAY = "wrong_way"
    WRONG_MEDICINE_OR_PACKAGING = "wrong_medicine_or_packaging"
    OMITTED = "omitted"
    WRONG_PERSON = "wrong_person"
    KNOWN_ALLERGY = "known_allergy"


class PersonRole(StrEnum):
    """How a person was involved in an incident."""

    SERVICE_USER = "service_user"
    STAFF = "staff"
    VISITOR = "visitor"
    OTHER = "other"


class LocationDetail(StrEnum):
    """Where in or around the service the incident happened."""

    BEDROOM = "bedroom"
    BATHROOM_OR_TOILET = "bathroom_or_toilet"
    LOUNGE = "lounge"
    DINING_ROOM = "dining_room"
    CORRIDOR_OR_STAIRS = "corridor_or_stairs"
    KITCHEN = "kitchen"
    GARDEN_OR_GROUNDS = "garden_or_grounds"
    OFFICE = "office"
    SERVICE_USERS_HOME = "service_users_home"
    COMMUNITY_OR_OUTING = "community_or_outing"
    VEHICLE = "vehicle"
    OTHER = "other"


class UnstageablePressureUlcer(StrEnum):
    """Pressure ulcers that cannot be given a numeric grade (1-4)."""

    UNSTAGEABLE = "unstageable"
    DEEP_TISSUE_INJURY = "deep_tissue_injury"
