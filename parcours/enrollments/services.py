"""Writes of the enrollments app: requests, direct enrollments, decisions, the messages thread.

Each function runs in one transaction: the change, its log and audit rows and its notifications (emails leave
once it commits). Refusals raise `EnrollmentRefused` (or the engine's `TransitionRefused`) with a French
message, and change nothing.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.catalog.enums import ActionStatus, SessionStatus, WhoAsks
from parcours.catalog.models import Programme, Session
from parcours.enrollments import notifications as notices
from parcours.enrollments import permissions
from parcours.enrollments.enums import OPEN_STATES, EnrollmentState
from parcours.enrollments.models import Enrollment, EnrollmentMessage, EnrollmentReadMarker
from parcours.enrollments.workflows import (
    ENROLLMENT_WORKFLOW,
    enrollment_transition,
    session_lock,
    waitlist_advance,
)
from parcours.organisations.models import Membership, MembershipStatus, Organisation, Role
from parcours.organisations.permissions import can_manage
from parcours.workflows.engine import TransitionRefused
from parcours.workflows.models import TransitionLog

S = EnrollmentState
MESSAGE_MAX_LENGTH = 5000
ALREADY_ASKED = (
    "Une demande est déjà en cours pour cette session : retrouvez-la dans vos inscriptions. "
    "Vous pourrez en déposer une nouvelle si elle est annulée ou refusée."
)


class EnrollmentRefused(TransitionRefused):
    """The request cannot be filed: the message says why, in French."""


@dataclass(frozen=True)
class Offer:
    """What a session offers today: the programmes one may enroll in (empty means none) or why not."""

    programmes: list[Programme]
    problem: str = ""


def session_offer(session: Session, *, for_employee: bool = True) -> Offer:
    """Whether the session takes requests today, and through which programmes."""
    today = timezone.localdate()
    action = session.action
    if action.status != ActionStatus.PUBLISHED or not action.provider.is_active:
        return Offer([], "Cette action de formation n'est plus proposée.")
    if session.status == SessionStatus.CANCELLED:
        return Offer([], "Cette session est annulée.")
    if session.status == SessionStatus.CLOSED:
        return Offer([], "Les inscriptions à cette session sont closes.")
    if session.starts_on <= today:
        return Offer([], "Cette session a déjà commencé : il n'est plus possible de s'y inscrire.")
    if session.registration_deadline < today:
        return Offer(
            [],
            f"La date limite d'inscription à cette session était le {session.registration_deadline:%d/%m/%Y}.",
        )
    programmes = [programme for programme in action.programmes.all() if programme.runs_on(today)]
    if for_employee:
        programmes = [programme for programme in programmes if programme.who_asks == WhoAsks.EMPLOYEE]
    if not programmes:
        return Offer([], "Cette action n'est proposée dans aucun programme ouvert aux demandes en ce moment.")
    return Offer(sorted(programmes, key=lambda programme: programme.name))


def _is_employee_of(user, employer: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=employer, role=Role.EMPLOYEE, status=MembershipStatus.ACTIVE
    ).exists()


def _check_offer(session: Session, programme: Programme, *, for_employee: bool) -> None:
    offer = session_offer(session, for_employee=for_employee)
    if offer.problem:
        raise EnrollmentRefused(offer.problem)
    if programme.pk not in {p.pk for p in offer.programmes}:
        raise EnrollmentRefused("Ce programme ne permet pas de s'inscrire à cette session.")


def _create(
    *,
    session: Session,
    programme: Programme,
    beneficiary,
    employer: Organisation,
    requested_by,
    expectations: str,
    state: str,
    action: str,
    request=None,
) -> Enrollment:
    # The session row is locked: its status and capacity cannot change under the checks.
    session = Session.objects.select_for_update().select_related("action__provider").get(pk=session.pk)
    _check_offer(session, programme, for_employee=action == "request")
    if Enrollment.objects.filter(beneficiary=beneficiary, session=session, state__in=OPEN_STATES).exists():
        raise EnrollmentRefused(ALREADY_ASKED)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                session=session,
                programme=programme,
                beneficiary=beneficiary,
                employer=employer,
                provider=session.action.provider,
                state=state,
                expectations=(expectations or "").strip(),
                requested_by=requested_by,
            )
    except IntegrityError as error:  # two submits at once: the partial unique constraint holds
        raise EnrollmentRefused(ALREADY_ASKED) from error
    TransitionLog.objects.create(
        workflow=ENROLLMENT_WORKFLOW.name,
        object_type=enrollment._meta.label_lower,
        object_id=enrollment.public_id,
        action=action,
        from_state="",
        to_state=state,
        actor=requested_by,
    )
    audit_record(
        event_type=f"{ENROLLMENT_WORKFLOW.name}.{action}",
        actor=requested_by,
        target=enrollment,
        request=request,
        details={"to": state, "session": str(session.public_id), "programme": str(programme.public_id)},
    )
    return enrollment


def _after_create(enrollment: Enrollment, *, actor) -> Enrollment:
    """Alert who decides next; a programme without provider validation enrolls (or waitlists) at once."""
    what = notices.describe(enrollment)
    name = enrollment.beneficiary.get_full_name() or enrollment.beneficiary.email
    if enrollment.state == S.PENDING_EMPLOYER:
        notices.people_notify(
            notices.employer_people(enrollment),
            enrollment=enrollment,
            category=notices.CATEGORY_TO_DECIDE,
            title="Une demande d'inscription attend votre accord",
            body=f"{name} demande à suivre {what}.",
            actor=actor,
        )
        return enrollment
    if enrollment.programme.provider_validation:
        notices.people_notify(
            notices.provider_people(enrollment),
            enrollment=enrollment,
            category=notices.CATEGORY_TO_DECIDE,
            title="Une demande d'inscription est à valider",
            body=f"{name} demande à suivre {what}.",
            actor=actor,
        )
        return enrollment
    return automatic_decision(enrollment)


def automatic_decision(enrollment: Enrollment) -> Enrollment:
    """Without provider validation: enrolled if a place is free, else on the waiting list (session locked)."""
    session = session_lock(enrollment)[0]
    action = "auto_enroll" if session.enrolled_count < session.capacity else "auto_waitlist"
    return enrollment_transition(enrollment, action)


def enrollment_request(
    *,
    session: Session,
    beneficiary,
    employer: Organisation,
    programme: Programme,
    expectations: str = "",
    request=None,
) -> Enrollment:
    """A bénéficiaire asks for a session, through their employer (where they are an active employee)."""
    if not _is_employee_of(beneficiary, employer) or not employer.is_active:
        raise EnrollmentRefused("Vous n'êtes pas rattaché(e) à cet employeur comme salarié.")
    state = S.PENDING_EMPLOYER if programme.employer_approval else S.PENDING_PROVIDER
    with transaction.atomic():
        enrollment = _create(
            session=session,
            programme=programme,
            beneficiary=beneficiary,
            employer=employer,
            requested_by=beneficiary,
            expectations=expectations,
            state=state,
            action="request",
            request=request,
        )
        return _after_create(enrollment, actor=beneficiary)


def enrollment_enroll_employee(
    *,
    session: Session,
    employer: Organisation,
    employee,
    programme: Programme,
    actor,
    expectations: str = "",
    request=None,
) -> Enrollment:
    """An employer's référent or manager enrolls one of their employees: the employer's accord is given."""
    if not can_manage(actor, employer) or not employer.is_active:
        raise EnrollmentRefused("Vous ne pouvez pas inscrire les salariés de cet employeur.")
    if not _is_employee_of(employee, employer):
        raise EnrollmentRefused("Cette personne n'est pas salariée de votre structure dans Parcours.")
    with transaction.atomic():
        enrollment = _create(
            session=session,
            programme=programme,
            beneficiary=employee,
            employer=employer,
            requested_by=actor,
            expectations=expectations,
            state=S.PENDING_PROVIDER,
            action="enroll_employee",
            request=request,
        )
        notices.people_notify(
            [employee],
            enrollment=enrollment,
            category=notices.CATEGORY_DECISION,
            title="Votre employeur vous a inscrit(e) à une formation",
            body=f"{actor.get_full_name()} ({employer.name}) a demandé votre inscription à "
            f"{notices.describe(enrollment)}.",
            actor=actor,
        )
        return _after_create(enrollment, actor=actor)


def enrollment_decide(*, enrollment: Enrollment, action: str, actor, reason: str = "", request=None) -> Enrollment:
    """A person's decision (a button of the request's page); the system's transitions are not theirs."""
    transition = ENROLLMENT_WORKFLOW.find(enrollment.state, action)
    if transition is not None and transition.system:
        raise TransitionRefused("Cette action est faite automatiquement par Parcours.")
    with transaction.atomic():
        decided = enrollment_transition(enrollment, action, actor=actor, reason=reason, request=request)
        if decided.state == S.PENDING_PROVIDER and not decided.programme.provider_validation:
            decided = automatic_decision(decided)
        return decided


# Reactions to the catalog (receivers.py): the session's provider changed it.


def session_enrollments_cancel(*, session: Session, reason: str = "", actor=None) -> int:
    """A cancelled session cancels its open requests; everyone concerned is told (not who cancelled it)."""
    cancelled = 0
    with transaction.atomic():
        open_ones = Enrollment.objects.filter(session=session, state__in=OPEN_STATES).order_by("pk")
        for enrollment in open_ones:
            enrollment_transition(
                enrollment, "session_cancelled", reason=reason or session.cancelled_reason, data={"actor": actor}
            )
            cancelled += 1
    return cancelled


def session_places_refresh(*, session: Session) -> list[Enrollment]:
    """More places (or fewer enrolled): the waiting list moves up; a full session with room reopens."""
    with transaction.atomic():
        list(Session.objects.select_for_update().filter(pk=session.pk))
        return waitlist_advance(session.pk)


# The thread.


def message_post(*, enrollment: Enrollment, author, body: str, request=None) -> EnrollmentMessage:
    """A message from one party; the others get an alert (mutable)."""
    party = permissions.party_of(author, enrollment)
    if party is None:
        raise EnrollmentRefused("Vous pouvez lire ces messages, mais pas y répondre.")
    body = (body or "").strip()
    if not body:
        raise EnrollmentRefused("Écrivez votre message avant de l'envoyer.")
    if len(body) > MESSAGE_MAX_LENGTH:
        raise EnrollmentRefused(f"Votre message dépasse {MESSAGE_MAX_LENGTH} caractères : raccourcissez-le.")
    with transaction.atomic():
        message = EnrollmentMessage.objects.create(enrollment=enrollment, author=author, author_party=party, body=body)
        thread_read(enrollment=enrollment, user=author, at=message.created_at)
        name = author.get_full_name() or author.email
        notices.people_notify(
            notices.everyone(enrollment),
            enrollment=enrollment,
            category=notices.CATEGORY_MESSAGE,
            title=f"Nouveau message de {name}",
            body=f"{name} a écrit au sujet de {notices.describe(enrollment)} :\n\n{body}",
            actor=author,
            template=notices.MESSAGE_TEMPLATE,
        )
        audit_record(
            event_type="enrollment.message", actor=author, target=enrollment, request=request, details={"party": party}
        )
    return message


def thread_read(*, enrollment: Enrollment, user, at=None) -> None:
    """The person has read the thread up to now (their unread count drops to 0)."""
    EnrollmentReadMarker.objects.update_or_create(
        enrollment=enrollment, user=user, defaults={"last_read_at": at or timezone.now()}
    )
