"""Free text written the way staff, families and auditors write it, from templates.

No real names: people appear as "the resident", "the person we support" or a pseudonymous
reference. A few texts deliberately carry a fictional phone number (Ofcom's drama range
07700 900xxx) or an ``example.com`` address so that downstream redaction can be exercised.
"""

from __future__ import annotations

import random

from learnloop.generator.chance import one_of
from shared.events import ComplaintCategory as CC
from shared.events import FeedbackKind as FK
from shared.events import IncidentCategory as IC

INCIDENT_TEXTS: dict[str, tuple[str, ...]] = {
    IC.FALL: (
        "{who} was found on the floor {where} {when}. Said they were trying to reach the "
        "toilet. {injury}",
        "{who} slipped while walking {where} with their frame {when}. {injury}",
        "Unwitnessed fall {where} {when}; {who} was unable to say what happened. {injury}",
    ),
    IC.MEDICATION: (
        "{medicine} {problem} {when}; MAR chart {where} left unsigned. Found by {staff}.",
        "Stock count {when} showed that {medicine} {problem}. Reported by {staff}.",
    ),
    IC.PRESSURE_DAMAGE: (
        "Pressure damage found on the sacrum during personal care {when}. Repositioning chart "
        "had gaps.",
        "Red area on the left heel that did not blanch, found {when}. Mattress setting checked.",
    ),
    IC.SKIN_DAMAGE: (
        "Skin tear to the forearm during a hoist transfer {where} {when}.",
        "Bruise of unknown origin on the upper arm noticed {when} during personal care.",
    ),
    IC.BEHAVIOUR: (
        "{who} became distressed {where} {when} and hit out at {staff} during personal care.",
        "Verbal and physical aggression between two residents {where} {when}; separated by staff.",
    ),
    IC.SAFEGUARDING: (
        "{who} told {staff} {when} that money had gone missing from their room.",
        "Allegation that a visitor shouted at and pushed {who} {where} {when}.",
        "Concern raised about possible neglect: {who} was found in soiled clothing {when}.",
    ),
    IC.INFECTION: (
        "{who} had diarrhoea and vomiting, first noticed {when}; isolated and GP informed.",
        "Suspected chest infection: {who} was feverish and short of breath {when}.",
    ),
    IC.MISSING_PERSON: ("{who} could not be found {when}; found two hours later in town.",),
    IC.CHOKING: ("{who} coughed and choked on food {where} {when}; back blows given.",),
    IC.SELF_HARM: ("{who} scratched their arms {where} {when} after a phone call home.",),
    IC.EQUIPMENT: ("Hoist failed its pre-use check {when}; transfer delayed.",),
    IC.ENVIRONMENT: ("Heating failed on the first floor {when}; portable heaters brought in.",),
    IC.STAFFING: ("Two staff off sick {when} and no agency cover; calls delayed.",),
    IC.DEATH: ("{who} was found unresponsive {where} {when}; paramedics confirmed death.",),
    IC.OTHER: ("{who} refused personal care and meals {when}; family and GP informed.",),
}
INJURIES = {
    "none": ("No injury seen.", "No injury; observations normal."),
    "low": ("Small graze to the left elbow.", "Bruising to the right hip."),
    "moderate": ("Complained of pain in the wrist; taken for X-ray.", "Cut to the head; glued."),
    "severe": ("Unable to weight-bear; suspected hip fracture.",),
    "fatal": ("Head injury; paramedics called.",),
}
"""Injury wording by physical harm level, so the account matches the harm recorded."""
MEDICINES = (
    "the evening dose of an anticoagulant",
    "a pain-relief patch",
    "insulin",
    "an antibiotic",
)
MEDICATION_PROBLEMS = {
    "omitted": "was not given",
    "too_much": "was given twice",
    "too_little": "was given at half the dose",
    "wrong_way": "was given by the wrong route",
    "wrong_medicine_or_packaging": "came in the wrong packaging",
    "wrong_person": "was given to the wrong person",
    "known_allergy": "was given despite a recorded allergy",
}
WHEN = ("at night", "in the morning", "after lunch", "in the evening", "at handover")
FALL_ACTION = "Post-falls protocol followed"
OPERATIONAL_ACTIONS = (
    "On-call manager informed",
    "Maintenance contractor called",
    "Business continuity plan used",
    "Risk assessment reviewed",
)
ACTIONS = (
    "GP informed",
    "111 advice sought",
    "Family informed",
    "Body map completed",
    "Manager informed",
    "Risk assessment reviewed",
    "Care plan updated",
)

COMPLAINT_TEXTS: dict[str, str] = {
    CC.CARE_QUALITY: "Mother was left in bed until late morning on several days.",
    CC.COMMUNICATION: "Family were not told for two days that their relative went into hospital.",
    CC.STAFF_ATTITUDE: "A carer was abrupt and rolled their eyes when asked for help.",
    CC.MEDICATION: "Evening tablets were missed twice last week.",
    CC.MISSED_OR_LATE_VISIT: "The morning call was over two hours late three times this week.",
    CC.FOOD_AND_NUTRITION: "Meals are often cold and the soft diet is not followed.",
    CC.ENVIRONMENT_CLEANLINESS: "The bathroom on the first floor has not been cleaned properly.",
    CC.FEES_AND_CHARGING: "We were charged for a week after the room was vacated.",
    CC.SAFEGUARDING: "Unexplained bruises were not explained to the family.",
    CC.DIGNITY_AND_PRIVACY: "Personal care was given with the door left open.",
    CC.ADMISSION_DISCHARGE_TRANSFER: "Discharge from hospital back to the home was badly planned.",
    CC.LOST_OR_DAMAGED_PROPERTY: "Hearing aids and two cardigans have gone missing in laundry.",
    CC.OTHER: "Visiting times were changed without any notice.",
}
DESIRED_OUTCOMES = (
    "An apology and an explanation.",
    "A meeting with the manager.",
    "Assurance that this will not happen again.",
    "A refund of the charges.",
)

FEEDBACK_TEXTS: dict[str, tuple[str, ...]] = {
    FK.COMPLIMENT: (
        "The garden party was lovely and Dad talked about it all week.",
        "Staff are kind and always make time for a chat.",
        "Thank you for the care you gave Mum in her last weeks.",
    ),
    FK.GOOD_PRACTICE: (
        "Excellent handover: clear, person-centred and on time.",
        "The new falls huddle after each fall is working well.",
    ),
    FK.SUGGESTION: ("Could there be more music sessions at weekends?", "A notice board for menus."),
    FK.CONCERN: ("Laundry keeps coming back to the wrong room.", "Phone is rarely answered."),
    FK.GENERAL: ("Visited on Sunday; all fine.", "Parking is difficult on weekdays."),
}
FEEDBACK_TOPICS = ("activities", "food", "staff", "cleanliness", "communication", "care", "laundry")

AUDIT_COMMENTS = ("Not met on the day of the audit.", "Gaps found in two of five records sampled.")
AUDIT_EVIDENCE = ("Records sampled", "Observed on the unit", "Checked with staff on shift")


def incident_text(rng: random.Random, category: str, harm: str, **fill: str) -> str:
    """A description of an incident of ``category`` with ``harm``, with details filled in."""
    template = one_of(rng, INCIDENT_TEXTS[category])
    details = {
        "when": one_of(rng, WHEN),
        "injury": one_of(rng, INJURIES[harm]),
        "medicine": one_of(rng, MEDICINES),
    }
    text = template.format(**(details | fill))
    return text[0].upper() + text[1:]


def where(location: str) -> str:
    """Where something happened, as a reporter would put it."""
    if location == "service_users_home":
        return "at home"
    return f"in the {location.replace('_', ' ')}"


def with_contact_detail(rng: random.Random, text: str) -> tuple[str, str]:
    """Append a fictional phone number or email address; return the text and which it was."""
    if rng.random() < 0.5:
        return f"{text} Son asked for a call back on 07700 900{rng.randrange(1000):03d}.", "phone"
    return f"{text} Please reply to family.contact{rng.randrange(100)}@example.com.", "email"
