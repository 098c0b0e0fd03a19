"""Drafting one incident: harm, people, place, governance facts and the reporter's account."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from learnloop.generator.calibration import (
    ANYWHERE,
    FATAL_CATEGORIES,
    MEDICATION_PROBLEMS,
    PHYSICAL_HARM,
    PLACES_AT_HOME,
    PLACES_IN_CARE_HOME,
    PSYCHOLOGICAL_HARM,
    REPORTERS,
)
from learnloop.generator.chance import chance, pick
from learnloop.generator.events import Draft, TruthNote, moment, service_user, staff_member
from learnloop.generator.ground_truth import cqc_notification_reasons
from learnloop.generator.narratives import (
    ACTIONS,
    FALL_ACTION,
    OPERATIONAL_ACTIONS,
    incident_text,
    where,
    with_contact_detail,
)
from learnloop.generator.narratives import MEDICATION_PROBLEMS as PROBLEM_TEXT
from learnloop.generator.provider import Site, SiteKind
from learnloop.generator.scenario import ScenarioConfig, Story
from shared.events import (
    GovernanceFlags,
    Incident,
    IncidentCategory,
    InvolvedAgent,
    LocationDetail,
    MedicationProblem,
    PersonInvolved,
    PersonRole,
    PhysicalHarm,
    PressureUlcerGrade,
    PsychologicalHarm,
    UnstageablePressureUlcer,
)

IC, H = IncidentCategory, PhysicalHarm
WHO = {SiteKind.CARE_HOME: "the resident", SiteKind.HOMECARE: "the person we support",
       SiteKind.SUPPORTED_LIVING: "the tenant"}  # fmt: skip
WITH_STAFF = {IC.BEHAVIOUR: 0.5, IC.MEDICATION: 0.6, IC.SAFEGUARDING: 0.3}
STAFF_ONLY = {IC.EQUIPMENT: 0.6, IC.ENVIRONMENT: 0.6, IC.STAFFING: 0.9}
SAFEGUARDING = {IC.SAFEGUARDING: 1.0, IC.BEHAVIOUR: 0.15, IC.MISSING_PERSON: 0.3}
POLICE = {IC.SAFEGUARDING: 0.1, IC.MISSING_PERSON: 0.4, IC.BEHAVIOUR: 0.03}
DISRUPTION = {IC.STAFFING: 0.3, IC.ENVIRONMENT: 0.25, IC.EQUIPMENT: 0.05}
REPORTING_HOURS = (2, 2, 2, 2, 2, 2, 3, 5, 6, 6, 5, 5, 5, 5, 4, 4, 5, 5, 5, 5, 4, 3, 3, 2)


def draft_incident(
    rng: random.Random, site: Site, category: IncidentCategory, month: tuple[datetime, datetime],
    config: ScenarioConfig, story: Story,
) -> Draft:  # fmt: skip
    """An incident of ``category`` at ``site``, reported during ``month`` (start, end)."""
    time = moment(rng, month[0], (month[1] - month[0]).days, REPORTING_HOURS)
    reported = time - timedelta(seconds=rng.randrange(30, 900))
    physical = PhysicalHarm(pick(rng, PHYSICAL_HARM))
    if physical is H.FATAL and category not in FATAL_CATEGORIES:
        category = IC.DEATH
    if physical is H.NONE and category is IC.PRESSURE_DAMAGE:
        physical = H.LOW  # a pressure ulcer is at least low harm
    distressing = category in (IC.BEHAVIOUR, IC.SAFEGUARDING)
    psychological = PsychologicalHarm(pick(rng, PSYCHOLOGICAL_HARM[distressing]))
    grade = _pressure_grade(rng, physical) if category is IC.PRESSURE_DAMAGE else None
    people = _people(rng, site, category)
    location = pick(rng, _places(site, category))
    problem = _medication_problem(rng) if category is IC.MEDICATION else None
    staff = next((p.person_ref for p in people if p.role is PersonRole.STAFF), None)
    description = incident_text(
        rng, category, physical, who=WHO[site.kind], where=where(location),
        staff=staff or "a carer", problem=PROBLEM_TEXT[problem] if problem else "was not given",
    )  # fmt: skip
    note = TruthNote()
    if chance(rng, config.redaction_probe_rate):
        description, kind = with_contact_detail(rng, description)
        note = TruthNote(redaction_probe=("data.description", kind))
    incident = Incident(
        occurred_at=reported - _reporting_delay(rng),
        reported_at=reported,
        reporter_role=pick(rng, REPORTERS[site.nursing]),
        category=category,
        physical_harm=physical,
        psychological_harm=psychological,
        people_involved=people,
        location_detail=location,
        description=description,
        immediate_actions=_actions(rng, category),
        medication_problem=problem,
        involved_agents=_agents(rng, category),
        governance=_flags(rng, category, physical, grade, people),
    )
    if cqc_notification_reasons(incident):
        late = site.site_id in story.late_notifier_sites
        rate = config.late_notifier_rate if late else config.late_notification_rate
        hours = rng.uniform(26, 240) if chance(rng, rate) else rng.uniform(0.5, 20)
        note = TruthNote(round(hours, 1), redaction_probe=note.redaction_probe)
    return Draft(time=time, site=site, payload=incident, note=note)


def _flags(
    rng: random.Random, category: IncidentCategory, physical: PhysicalHarm,
    grade: PressureUlcerGrade | None, people: list[PersonInvolved],
) -> GovernanceFlags:  # fmt: skip
    big_ulcer = grade is UnstageablePressureUlcer.UNSTAGEABLE or (
        isinstance(grade, int) and grade >= 3
    )
    moderate_plus = physical in (H.MODERATE, H.SEVERE, H.FATAL)
    safeguarding = (
        chance(rng, SAFEGUARDING.get(category, 0.0))
        or (big_ulcer and chance(rng, 0.5))
        or (moderate_plus and category in (IC.FALL, IC.MEDICATION) and chance(rng, 0.2))
    )
    staff_hurt = moderate_plus and any(p.role is PersonRole.STAFF for p in people)
    return GovernanceFlags(
        safeguarding_concern=safeguarding,
        police_involved=chance(rng, POLICE.get(category, 0.0)),
        death=physical is H.FATAL,
        pressure_ulcer_grade=grade,
        serious_injury=physical is H.SEVERE or big_ulcer,
        abuse_or_allegation=(category is IC.SAFEGUARDING and chance(rng, 0.7))
        or (category is IC.BEHAVIOUR and safeguarding),
        service_disruption=chance(rng, DISRUPTION.get(category, 0.0)),
        riddor_reportable=staff_hurt and category is IC.BEHAVIOUR,
        deprivation_of_liberty=category is IC.MISSING_PERSON and chance(rng, 0.3),
    )


def _pressure_grade(rng: random.Random, physical: PhysicalHarm) -> PressureUlcerGrade:
    if physical is H.LOW:
        return 1 if chance(rng, 0.6) else 2
    if physical is H.MODERATE:
        draw = rng.random()
        return (
            2 if draw < 0.25 else 3 if draw < 0.85 else UnstageablePressureUlcer.DEEP_TISSUE_INJURY
        )
    if physical is H.SEVERE and chance(rng, 0.25):
        return UnstageablePressureUlcer.UNSTAGEABLE
    return 4


def _people(rng: random.Random, site: Site, category: IncidentCategory) -> list[PersonInvolved]:
    staff = PersonInvolved(role=PersonRole.STAFF, person_ref=staff_member(rng, site))
    if chance(rng, STAFF_ONLY.get(category, 0.0)):
        return [staff]
    people = [PersonInvolved(role=PersonRole.SERVICE_USER, person_ref=service_user(rng, site))]
    if chance(rng, WITH_STAFF.get(category, 0.0)):
        people.append(staff)
    if category is IC.SAFEGUARDING and chance(rng, 0.15):
        visitor = f"VI-{site.number:03d}-{rng.randrange(1, 200):03d}"
        people.append(PersonInvolved(role=PersonRole.VISITOR, person_ref=visitor))
    return people


def _places(site: Site, category: IncidentCategory) -> dict[LocationDetail, float]:
    if site.kind is not SiteKind.CARE_HOME:
        return PLACES_AT_HOME
    return PLACES_IN_CARE_HOME.get(category, ANYWHERE)


def _medication_problem(rng: random.Random) -> MedicationProblem | None:
    problem = pick(rng, MEDICATION_PROBLEMS)
    return None if problem == "none" else MedicationProblem(problem)


def _agents(rng: random.Random, category: IncidentCategory) -> list[InvolvedAgent]:
    if category is IC.MEDICATION:
        return [InvolvedAgent.MEDICATIONS]
    if category is IC.EQUIPMENT or (category is IC.FALL and chance(rng, 0.1)):
        return [InvolvedAgent.DEVICES]
    if category is IC.ENVIRONMENT:
        return [pick(rng, {InvolvedAgent.BUILDINGS_OR_INFRASTRUCTURE: 0.6,
                           InvolvedAgent.ESTATES_SERVICES: 0.4})]  # fmt: skip
    return [InvolvedAgent.NONE_OF_THE_ABOVE] if chance(rng, 0.3) else []


def _actions(rng: random.Random, category: IncidentCategory) -> list[str]:
    if category in (IC.EQUIPMENT, IC.ENVIRONMENT, IC.STAFFING):
        return rng.sample(OPERATIONAL_ACTIONS, rng.randrange(1, 3))
    actions = rng.sample(ACTIONS, rng.randrange(3))
    return [FALL_ACTION, *actions] if category is IC.FALL else actions


def _reporting_delay(rng: random.Random) -> timedelta:
    draw = rng.random()
    if draw < 0.85:
        return timedelta(minutes=rng.randrange(3, 240))
    if draw < 0.97:
        return timedelta(minutes=rng.randrange(240, 1440))
    return timedelta(minutes=rng.randrange(1440, 7200))  # reported days late
