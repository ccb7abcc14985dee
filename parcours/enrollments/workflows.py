"""The enrollment workflow as data: states in enums.py, transitions below, run by parcours.workflows.engine.

    pending_employer --employer_approve--> pending_provider --provider_validate--> enrolled
    pending_employer --employer_refuse--> refused_employer
    pending_provider --provider_refuse--> refused_provider        (also from waitlisted)
    pending_provider --provider_waitlist--> waitlisted            (only when the session is full)
    waitlisted --promote (system)--> enrolled                     (first by waitlisted_at, when a place frees)
    pending_provider --auto_enroll / auto_waitlist (system)-->    (programmes without provider validation)
    any open state --cancel--> cancelled; --session_cancelled (system)--> cancelled

Every transition locks the session row first (`session_lock`): enrolling reads the session's `enrolled_count`
under that lock, and every transition into or out of "enrolled" recounts it under the same lock, so two
validations of the last place never both succeed and the count stays exact. Creating a request is not a transition: the
services write it in its first state (pending_employer, or pending_provider when the programme or the
employer skips the approval).
"""

from django.utils import timezone

from parcours.catalog.enums import SessionStatus
from parcours.catalog.models import Session
from parcours.catalog.services import SESSION_WORKFLOW
from parcours.enrollments import notifications as notices
from parcours.enrollments import permissions
from parcours.enrollments.enums import OPEN_STATES, EnrollmentState
from parcours.enrollments.models import Enrollment
from parcours.workflows.engine import Context, Transition, Workflow, transition_run

S = EnrollmentState
FULL_MESSAGE = (
    "La session est complète : toutes les places sont prises. Vous pouvez placer la demande sur liste d'attente."
)


# Capacity: the session row is the lock every transition takes first.


def session_lock(enrollment: Enrollment) -> list[Session]:
    return list(Session.objects.select_for_update().filter(pk=enrollment.session_id))


def enrolled_count(session_id: int) -> int:
    """The session's enrolled requests, as its counter holds them (read fresh: the caller holds the lock)."""
    return Session.objects.filter(pk=session_id).values_list("enrolled_count", flat=True).get()


def session_enrolled_recount(session_id: int) -> int:
    """Set the session's counter from its rows and return it; called with the session locked whenever a request
    enters or leaves "enrolled" (a recount rather than +1/-1: exact whatever wrote the rows before)."""
    count = Enrollment.objects.filter(session_id=session_id, state=S.ENROLLED).count()
    Session.objects.filter(pk=session_id).update(enrolled_count=count)
    return count


def session_fill(session_id: int) -> None:
    """The last place is taken: the session shows as full (the catalog's system transition, logged)."""
    # Locked before reading: a concurrent change (which the session lock normally prevents) cannot make
    # the catalog's transition fail after our check.
    session = Session.objects.select_for_update().get(pk=session_id)
    if session.status == SessionStatus.OPEN and enrolled_count(session_id) >= session.capacity:
        transition_run(SESSION_WORKFLOW, session, "fill")


def session_reopen(session_id: int) -> None:
    """A place is free and nobody waits: a full session takes requests again until its deadline."""
    session = Session.objects.select_for_update().get(pk=session_id)
    if (
        session.status == SessionStatus.FULL
        and enrolled_count(session_id) < session.capacity
        and timezone.localdate() <= session.registration_deadline
    ):
        transition_run(SESSION_WORKFLOW, session, "free")


def waitlist_advance(session_id: int) -> list[Enrollment]:
    """Enroll the waiting requests, first come first served, while places are free; then reopen if room is left.

    Call it with the session row locked (inside a transition, or after session_lock).
    """
    session = Session.objects.get(pk=session_id)
    promoted = []
    if session.status != SessionStatus.CANCELLED:
        while enrolled_count(session_id) < session.capacity:
            first = (
                Enrollment.objects.filter(session_id=session_id, state=S.WAITLISTED)
                .order_by("waitlisted_at", "pk")
                .first()
            )
            if first is None:
                break
            promoted.append(transition_run(ENROLLMENT_WORKFLOW, first, "promote", lock=_lock))
    session_reopen(session_id)
    return promoted


def _lock(enrollment: Enrollment):
    # Looked up at call time, so a test can patch session_lock out and show the overbooking it prevents.
    return session_lock(enrollment)


# Guards: a French message when the transition cannot happen now.


def _session_of(context: Context) -> Session:
    return Session.objects.get(pk=context.obj.session_id)


def _session_live(context: Context) -> str | None:
    session = _session_of(context)
    if session.status == SessionStatus.CANCELLED:
        return "La session est annulée : la demande ne peut plus avancer."
    if session.ends_on < timezone.localdate():
        return "La session est terminée : la demande ne peut plus avancer."
    return None


def _place_free(context: Context) -> str | None:
    if message := _session_live(context):
        return message
    session = _session_of(context)
    if enrolled_count(session.pk) >= session.capacity:
        return FULL_MESSAGE
    return None


def _session_full(context: Context) -> str | None:
    if message := _session_live(context):
        return message
    session = _session_of(context)
    if enrolled_count(session.pk) < session.capacity:
        return "Il reste des places dans cette session : validez l'inscription plutôt que de la mettre en attente."
    return None


def _without_validation(context: Context) -> str | None:
    if context.obj.programme.provider_validation:
        return "Dans ce programme, l'organisme de formation valide lui-même les inscriptions."
    return None


def _auto_enroll_guard(context: Context) -> str | None:
    return _without_validation(context) or _place_free(context)


def _auto_waitlist_guard(context: Context) -> str | None:
    return _without_validation(context) or _session_full(context)


# Effects: run after the new state is saved, in the transaction.


def _keep_reason(context: Context) -> None:
    if context.reason:
        context.obj.last_reason = context.reason
        context.obj.save(update_fields=["last_reason"])


def _mark_waitlisted(context: Context) -> None:
    context.obj.waitlisted_at = timezone.now()
    context.obj.save(update_fields=["waitlisted_at"])


def _fill(context: Context) -> None:
    session_enrolled_recount(context.obj.session_id)
    session_fill(context.obj.session_id)


def _free_place(context: Context) -> None:
    if context.from_state == S.ENROLLED:
        session_enrolled_recount(context.obj.session_id)
        waitlist_advance(context.obj.session_id)


def _release_place(context: Context) -> None:
    # The session is cancelled: nobody moves up, the counter only follows.
    if context.from_state == S.ENROLLED:
        session_enrolled_recount(context.obj.session_id)


def _name(enrollment: Enrollment) -> str:
    return enrollment.beneficiary.get_full_name() or enrollment.beneficiary.email


def _reason_line(context: Context) -> str:
    return f" Motif : {context.reason}" if context.reason else ""


def _notify_employer_approved(context: Context) -> None:
    enrollment = context.obj
    what = notices.describe(enrollment)
    notices.people_notify(
        [enrollment.beneficiary],
        enrollment=enrollment,
        category=notices.CATEGORY_DECISION,
        title="Votre employeur a donné son accord",
        body=f"Votre employeur a donné son accord pour {what}. L'organisme de formation va maintenant l'examiner."
        if enrollment.programme.provider_validation
        else f"Votre employeur a donné son accord pour {what}.",
        actor=context.actor,
    )
    if enrollment.programme.provider_validation:
        notices.people_notify(
            notices.provider_people(enrollment),
            enrollment=enrollment,
            category=notices.CATEGORY_TO_DECIDE,
            title="Une demande d'inscription est à valider",
            body=f"{_name(enrollment)} demande à suivre {what}, avec l'accord de son employeur.",
            actor=context.actor,
        )


def _notify_employer_refused(context: Context) -> None:
    enrollment = context.obj
    notices.people_notify(
        [enrollment.beneficiary],
        enrollment=enrollment,
        category=notices.CATEGORY_DECISION,
        title="Votre employeur a refusé votre demande d'inscription",
        body=f"Votre employeur a refusé votre demande pour {notices.describe(enrollment)}.{_reason_line(context)}",
        actor=context.actor,
    )


def _notify_enrolled(context: Context) -> None:
    enrollment = context.obj
    what = notices.describe(enrollment)
    people = [enrollment.beneficiary, *notices.employer_people(enrollment)]
    if context.actor is None:  # nobody of the provider acted: they learn it too
        people += notices.provider_people(enrollment)
    title = {
        "promote": "Une place s'est libérée : l'inscription est confirmée",
        "provider_validate": "L'inscription est confirmée",
        "auto_enroll": "L'inscription est confirmée",
    }[context.action]
    notices.people_notify(
        people,
        enrollment=enrollment,
        category=notices.CATEGORY_DECISION,
        title=title,
        body=f"{_name(enrollment)} est inscrit(e) à {what}.",
        actor=context.actor,
    )


def _notify_provider_refused(context: Context) -> None:
    enrollment = context.obj
    notices.people_notify(
        [enrollment.beneficiary, *notices.employer_people(enrollment)],
        enrollment=enrollment,
        category=notices.CATEGORY_DECISION,
        title="L'organisme de formation a refusé la demande d'inscription",
        body=f"La demande de {_name(enrollment)} pour {notices.describe(enrollment)} est refusée par l'organisme "
        f"de formation.{_reason_line(context)}",
        actor=context.actor,
    )


def _notify_waitlisted(context: Context) -> None:
    enrollment = context.obj
    people = [enrollment.beneficiary, *notices.employer_people(enrollment)]
    if context.actor is None:
        people += notices.provider_people(enrollment)
    notices.people_notify(
        people,
        enrollment=enrollment,
        category=notices.CATEGORY_DECISION,
        title="La demande d'inscription est sur liste d'attente",
        body=f"La session {notices.describe(enrollment)} est complète : la demande de {_name(enrollment)} est "
        "sur liste d'attente. Elle sera inscrite automatiquement dès qu'une place se libère.",
        actor=context.actor,
    )


def _notify_cancelled(context: Context) -> None:
    enrollment = context.obj
    if context.action == "session_cancelled":
        title = "La session est annulée"
        body = f"La session {notices.describe(enrollment)} est annulée par l'organisme de formation : la demande "
        body += f"de {_name(enrollment)} est annulée.{_reason_line(context)}"
        actor = context.data.get("actor")
    else:
        who = context.actor.get_full_name() if context.actor is not None else "Parcours"
        title = "La demande d'inscription est annulée"
        body = f"{who} a annulé la demande de {_name(enrollment)} pour {notices.describe(enrollment)}."
        body += _reason_line(context)
        actor = context.actor
    notices.people_notify(
        notices.everyone(enrollment),
        enrollment=enrollment,
        category=notices.CATEGORY_DECISION,
        title=title,
        body=body,
        actor=actor,
    )


def _employer(actor, enrollment) -> bool:
    return permissions.manages_employer(actor, enrollment)


def _provider(actor, enrollment) -> bool:
    return permissions.manages_provider(actor, enrollment)


def _system(actor, enrollment) -> bool:
    return False


ENROLLMENT_WORKFLOW = Workflow(
    name="enrollment",
    model=Enrollment,
    state_field="state",
    states=EnrollmentState,
    transitions=(
        Transition(
            source=S.PENDING_EMPLOYER,
            action="employer_approve",
            target=S.PENDING_PROVIDER,
            allowed=_employer,
            guard=_session_live,
            effects=(_notify_employer_approved,),
            label="Donner l'accord de l'employeur",
        ),
        Transition(
            source=S.PENDING_EMPLOYER,
            action="employer_refuse",
            target=S.REFUSED_BY_EMPLOYER,
            allowed=_employer,
            effects=(_keep_reason, _notify_employer_refused),
            reason_required=True,
            label="Refuser la demande",
        ),
        Transition(
            source=S.PENDING_PROVIDER,
            action="provider_validate",
            target=S.ENROLLED,
            allowed=_provider,
            guard=_place_free,
            effects=(_fill, _notify_enrolled),
            label="Valider l'inscription",
        ),
        Transition(
            source=(S.PENDING_PROVIDER, S.WAITLISTED),
            action="provider_refuse",
            target=S.REFUSED_BY_PROVIDER,
            allowed=_provider,
            effects=(_keep_reason, _notify_provider_refused),
            reason_required=True,
            label="Refuser l'inscription",
        ),
        Transition(
            source=S.PENDING_PROVIDER,
            action="provider_waitlist",
            target=S.WAITLISTED,
            allowed=_provider,
            guard=_session_full,
            effects=(_mark_waitlisted, _notify_waitlisted),
            label="Accepter sur liste d'attente",
        ),
        Transition(
            source=S.WAITLISTED,
            action="promote",
            target=S.ENROLLED,
            allowed=_system,
            system=True,
            guard=_place_free,
            effects=(_fill, _notify_enrolled),
            label="Inscrire (une place s'est libérée)",
        ),
        Transition(
            source=S.PENDING_PROVIDER,
            action="auto_enroll",
            target=S.ENROLLED,
            allowed=_system,
            system=True,
            guard=_auto_enroll_guard,
            effects=(_fill, _notify_enrolled),
            label="Inscrire (programme sans validation de l'organisme)",
        ),
        Transition(
            source=S.PENDING_PROVIDER,
            action="auto_waitlist",
            target=S.WAITLISTED,
            allowed=_system,
            system=True,
            guard=_auto_waitlist_guard,
            effects=(_mark_waitlisted, _notify_waitlisted),
            label="Mettre sur liste d'attente (programme sans validation de l'organisme)",
        ),
        Transition(
            source=OPEN_STATES,
            action="cancel",
            target=S.CANCELLED,
            allowed=permissions.may_cancel,
            effects=(_keep_reason, _free_place, _notify_cancelled),
            reason_required=True,
            label="Annuler la demande",
        ),
        Transition(
            source=OPEN_STATES,
            action="session_cancelled",
            target=S.CANCELLED,
            allowed=_system,
            system=True,
            effects=(_keep_reason, _release_place, _notify_cancelled),
            label="Annuler (session annulée)",
        ),
    ),
)

# What a person can press on the request's page; the system's transitions have no button.
PERSON_ACTIONS = tuple(t.action for t in ENROLLMENT_WORKFLOW.transitions if not t.system)


def enrollment_transition(
    enrollment: Enrollment, action: str, *, actor=None, reason: str = "", request=None, data=None
) -> Enrollment:
    """Run a transition of the enrollment workflow with the session locked first."""
    return transition_run(
        ENROLLMENT_WORKFLOW, enrollment, action, actor=actor, reason=reason, request=request, data=data, lock=_lock
    )
