"""The training offer and enrollments of the demo (issue 6): a programme of the demo operator, the demo
provider's actions and sessions, and the demo employer's employees' requests in every state, so that the
printed salarié, employeur référent and organisme de formation accounts can walk the journey.

Rows are written directly (no emails) and put back as printed on each run.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from parcours.catalog.enums import ActionNature, ActionStatus, Funding, HalfDay, Modality, Sanction, WhoAsks
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment
from parcours.workflows.models import TransitionLog

PROGRAMME_NAME = "Offre de professionnalisation (démonstration)"

ACTIONS = [
    {
        "title": "Développer des applications web avec Django",
        "summary": "Concevoir, tester et mettre en ligne une application web en Python avec le cadriciel Django.",
        "objectives": "Modéliser des données ; écrire des vues et des gabarits ; tester ; déployer une application.",
        "audience": "Développeurs et développeuses ayant une première expérience de Python.",
        "prerequisites": "Connaître les bases de Python.",
        "nature": ActionNature.TRAINING,
        "duration_hours": Decimal("35.0"),
        "price": Decimal("2100.00"),
        "modality": Modality.ON_SITE,
        "sanction": Sanction.ATTESTATION,
        "certification_registry": "",
        "certification_code": "",
    },
    {
        "title": "Gestion de projet agile : les fondamentaux",
        "summary": "Piloter un projet par itérations courtes avec Scrum et Kanban.",
        "objectives": "Organiser un backlog ; animer les cérémonies ; suivre l'avancement ; améliorer l'équipe.",
        "audience": "Chefs de projet, membres d'équipes projet.",
        "prerequisites": "",
        "nature": ActionNature.TRAINING,
        "duration_hours": Decimal("14.0"),
        "price": Decimal("980.00"),
        "modality": Modality.MIXED,
        "sanction": Sanction.CERTIFICATE,
        "certification_registry": "RS",
        "certification_code": "5487",
    },
    {
        "title": "Bilan de compétences",
        "summary": "Faire le point sur ses compétences, ses aptitudes et ses motivations pour définir un projet.",
        "objectives": "Analyser son parcours ; identifier ses compétences ; construire un projet professionnel.",
        "audience": "Tout salarié.",
        "prerequisites": "",
        "nature": ActionNature.SKILLS_ASSESSMENT,
        "duration_hours": Decimal("24.0"),
        "price": Decimal("1800.00"),
        "modality": Modality.REMOTE,
        "sanction": Sanction.ATTESTATION,
        "certification_registry": "",
        "certification_code": "",
    },
]
DRAFT_TITLE = "Tableur : fonctions avancées et tableaux croisés"

# Background employees of the demo employer, one request each, in the state named.
EMPLOYEES = [
    ("lea.garnier@example.org", "Léa", "Garnier", EnrollmentState.PENDING_PROVIDER, ""),
    ("hugo.mercier@example.org", "Hugo", "Mercier", EnrollmentState.ENROLLED, ""),
    ("chloe.faure@example.org", "Chloé", "Faure", EnrollmentState.WAITLISTED, ""),
    (
        "lucas.blanchard@example.org",
        "Lucas",
        "Blanchard",
        EnrollmentState.REFUSED_BY_EMPLOYER,
        "Période de forte activité.",
    ),
    ("emma.perrin@example.org", "Emma", "Perrin", EnrollmentState.REFUSED_BY_PROVIDER, "Prérequis non atteints."),
    ("nathan.robin@example.org", "Nathan", "Robin", EnrollmentState.CANCELLED, "Changement de poste."),
]


def action_defaults(provider) -> dict:
    return {
        "payment_terms": "Paiement à l'issue de la formation, sur facture adressée au financeur.",
        "cancellation_terms": "Annulation sans frais jusqu'à 10 jours avant le début de la session.",
        "place": provider.address + ", " + provider.postal_code + " " + provider.city,
        "department_code": provider.department_code,
        "accessibility": "Locaux accessibles aux personnes à mobilité réduite ; adaptations sur demande.",
        "what_to_bring": "Un ordinateur portable.",
        "assessment": "Exercices pratiques évalués par le formateur et questionnaire final.",
        "contact_name": "Claire Fontaine",
        "contact_email": "claire.fontaine@example.org",
        "contact_phone": "02 41 00 00 00",
    }


def programme_setup(operator) -> Programme:
    today = timezone.localdate()
    programme, _ = Programme.objects.update_or_create(
        operator=operator,
        name=PROGRAMME_NAME,
        defaults={
            "description": "Le programme régional qui finance la formation des salariés du territoire.",
            "starts_on": today.replace(month=1, day=1),
            "ends_on": today.replace(year=today.year + 1, month=12, day=31),
            "who_asks": WhoAsks.EMPLOYEE,
            "employer_approval": True,
            "provider_validation": True,
            "funding": Funding.OPERATOR_FUNDS,
            "is_active": True,
        },
    )
    return programme


def _session(action, trainer, *, starts_in: int, capacity: int) -> Session:
    today = timezone.localdate()
    starts_on = today + datetime.timedelta(days=starts_in)
    ends_on = starts_on + datetime.timedelta(days=1)
    session, _ = Session.objects.update_or_create(
        action=action,
        starts_on=starts_on,
        defaults={
            "ends_on": ends_on,
            "place": action.place,
            "department_code": action.department_code,
            "capacity": capacity,
            "registration_deadline": starts_on - datetime.timedelta(days=7),
            "status": "open",
            "cancelled_reason": "",
        },
    )
    session.trainers.set([trainer])
    for day in (starts_on, ends_on):
        for half_day, start, end in ((HalfDay.MORNING, (9, 0), (12, 30)), (HalfDay.AFTERNOON, (13, 30), (17, 0))):
            Slot.objects.update_or_create(
                session=session,
                date=day,
                half_day=half_day,
                defaults={"starts_at": datetime.time(*start), "ends_at": datetime.time(*end)},
            )
    return session


def offer_setup(provider, programme, trainer) -> list[Session]:
    """Three published actions with sessions; a draft. Returns the sessions that take requests."""
    sessions = []
    for index, fields in enumerate(ACTIONS):
        action, _ = TrainingAction.objects.update_or_create(
            provider=provider,
            title=fields["title"],
            defaults={
                **action_defaults(provider),
                **fields,
                "status": ActionStatus.PUBLISHED,
                "published_at": timezone.now(),
                "unpublished_reason": "",
            },
        )
        action.programmes.set([programme])
        sessions.append(_session(action, trainer, starts_in=30 + 14 * index, capacity=1 if index == 0 else 8))
        _session(action, trainer, starts_in=75 + 14 * index, capacity=10)
    draft, _ = TrainingAction.objects.update_or_create(
        provider=provider,
        title=DRAFT_TITLE,
        defaults={
            **action_defaults(provider),
            **ACTIONS[0],
            "title": DRAFT_TITLE,
            "summary": "Maîtriser les fonctions avancées du tableur.",
            "duration_hours": Decimal("7.0"),
            "price": Decimal("450.00"),
            "status": ActionStatus.DRAFT,
        },
    )
    draft.programmes.set([programme])
    return sessions


def enrollments_setup(*, sessions, programme, employer, provider, salarie, referent, employees) -> None:
    """The salarié's own request waits for the employer; the others show every other state.

    The first session (1 place) is full: one enrolled, one waiting. The salarié's request and Léa Garnier's
    (approved, waiting for the provider) are on the second session.
    """
    # Only this offer's requests: the running session (demo_running) keeps its own.
    mine = Enrollment.objects.filter(
        beneficiary__in=[salarie, *employees], session__action__title__in=[action["title"] for action in ACTIONS]
    )
    TransitionLog.objects.filter(object_id__in=mine.values("public_id")).delete()
    mine.delete()
    now = timezone.now()
    plan = [(salarie, EnrollmentState.PENDING_EMPLOYER, "", sessions[1])]
    full_session = sessions[0]
    for user, (_, _, _, state, reason) in zip(employees, EMPLOYEES, strict=True):
        session = full_session if state in (EnrollmentState.ENROLLED, EnrollmentState.WAITLISTED) else sessions[2]
        if state == EnrollmentState.PENDING_PROVIDER:
            session = sessions[1]
        plan.append((user, state, reason, session))
    for user, state, reason, session in plan:
        enrollment = Enrollment.objects.create(
            session=session,
            programme=programme,
            beneficiary=user,
            employer=employer,
            provider=provider,
            state=state,
            expectations="Mettre en pratique dans mon poste actuel.",
            requested_by=user,
            created_at=now - datetime.timedelta(days=3),
            state_changed_at=now - datetime.timedelta(days=1),
            waitlisted_at=now - datetime.timedelta(days=1) if state == EnrollmentState.WAITLISTED else None,
            last_reason=reason,
        )
        TransitionLog.objects.create(
            workflow="enrollment",
            object_type="enrollments.enrollment",
            object_id=enrollment.public_id,
            action="request",
            from_state="",
            to_state=EnrollmentState.PENDING_EMPLOYER,
            actor=user,
            occurred_at=enrollment.created_at,
        )
        if state != EnrollmentState.PENDING_EMPLOYER:
            refused = state == EnrollmentState.REFUSED_BY_EMPLOYER
            TransitionLog.objects.create(
                workflow="enrollment",
                object_type="enrollments.enrollment",
                object_id=enrollment.public_id,
                action="employer_refuse" if refused else "employer_approve",
                from_state=EnrollmentState.PENDING_EMPLOYER,
                to_state=EnrollmentState.REFUSED_BY_EMPLOYER if refused else EnrollmentState.PENDING_PROVIDER,
                actor=referent,
                reason=reason if refused else "",
                occurred_at=now - datetime.timedelta(days=2),
            )
    full_session.status = "full"
    full_session.save(update_fields=["status"])
