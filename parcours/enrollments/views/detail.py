"""One enrollment's page: the request, its history, the decisions the person may take, the messages thread.

Everyone who may not see the request gets a 404 (permissions.may_see); a decision beyond one's role or on a
request that moved meanwhile is refused by the workflow with a clear message, and nothing changes.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from parcours.enrollments import permissions
from parcours.enrollments.attendance import records_to_sign as attendance_records_to_sign
from parcours.enrollments.forms import DecisionForm, MessageForm
from parcours.enrollments.selectors import (
    enrollment_history,
    enrollment_visible,
    thread_messages,
    thread_unread_count,
)
from parcours.enrollments.services import enrollment_decide, message_post, thread_read
from parcours.enrollments.workflows import ENROLLMENT_WORKFLOW, PERSON_ACTIONS
from parcours.organisations.current import organisation_follow
from parcours.organisations.permissions import membership_of
from parcours.workflows.engine import TransitionRefused

PARTY_LABELS = {"beneficiary": "Bénéficiaire", "employer": "Employeur", "provider": "Organisme de formation"}
ACTION_DONE = {
    "employer_approve": "Vous avez donné votre accord : l'organisme de formation est prévenu.",
    "employer_refuse": "La demande est refusée : le motif est transmis au bénéficiaire.",
    "provider_validate": "L'inscription est validée : le bénéficiaire et son employeur sont prévenus.",
    "provider_refuse": "La demande est refusée : le motif est transmis au bénéficiaire et à son employeur.",
    "provider_waitlist": "La demande est sur liste d'attente : elle sera inscrite dès qu'une place se libère.",
    "cancel": "La demande est annulée : les personnes concernées sont prévenues.",
}
# Buttons that end a request are drawn as secondary.
SECONDARY_ACTIONS = {"employer_refuse", "provider_refuse", "cancel"}


def _follow(request, enrollment) -> None:
    """An email link to a request of another of one's organisations shows that organisation from now on."""
    user = request.user
    for organisation in (enrollment.employer, enrollment.provider, enrollment.programme.operator):
        if organisation is not None and membership_of(user, organisation) is not None:
            organisation_follow(request, organisation)
            return


DASHBOARDS = {
    "beneficiary": ("Mes formations", "dashboards:beneficiary"),
    "employer": ("Formations des salariés", "dashboards:employer"),
    "provider": ("Demandes d’inscription", "dashboards:provider"),
    "operator": ("Inscriptions", "dashboards:operator"),
}


def _crumbs(user, enrollment, party: str | None) -> list[dict]:
    if party is None and permissions.operates_programme(user, enrollment):
        party = "operator"
    if party == "provider" and not permissions.manages_provider(user, enrollment):
        return []  # a trainer has no provider dashboard
    if party is None:
        return []
    label, name = DASHBOARDS[party]
    return [{"label": label, "url": reverse(name)}]


def _render(request, enrollment, *, failed_action: str = "", failed_form=None, message_form=None, status=200):
    user = request.user
    unread = thread_unread_count(enrollment, user)
    thread = thread_messages(enrollment)
    buttons = []
    for transition in ENROLLMENT_WORKFLOW.available(enrollment, user):
        if transition.action == failed_action:
            form = failed_form
        else:
            form = DecisionForm(prefix=transition.action, reason_required=transition.reason_required)
        buttons.append(
            {
                "action": transition.action,
                "label": transition.label,
                "form": form,
                "secondary": transition.action in SECONDARY_ACTIONS,
                "url": reverse("enrollments:transition", args=[enrollment.public_id, transition.action]),
            }
        )
    party = permissions.party_of(user, enrollment)
    context = {
        "enrollment": enrollment,
        "session": enrollment.session,
        "action": enrollment.session.action,
        "history": enrollment_history(enrollment),
        "buttons": buttons,
        "thread": thread,
        "unread": unread,
        "party": party,
        "crumbs": _crumbs(user, enrollment, party),
        "party_labels": PARTY_LABELS,
        # Open attendance sheets waiting for the trainee's own signature.
        "to_sign": attendance_records_to_sign(user, enrollment=enrollment) if party == "beneficiary" else [],
        "message_form": message_form or (MessageForm() if party else None),
        "state_labels": dict(ENROLLMENT_WORKFLOW.states.choices),
        "action_labels": {t.action: t.label for t in ENROLLMENT_WORKFLOW.transitions}
        | {"request": "Demande déposée", "enroll_employee": "Inscription par l'employeur"},
    }
    response = render(request, "enrollments/detail.html", context, status=status)
    if thread:
        # What the page showed is read; a message arriving meanwhile stays unread.
        thread_read(enrollment=enrollment, user=user, at=max(message.created_at for message in thread))
    return response


@require_http_methods(["GET"])
def detail(request, public_id):
    enrollment = enrollment_visible(request.user, public_id)
    _follow(request, enrollment)
    return _render(request, enrollment)


@require_POST
def transition(request, public_id, action):
    enrollment = enrollment_visible(request.user, public_id)
    if action not in PERSON_ACTIONS:
        raise Http404
    found = ENROLLMENT_WORKFLOW.find(enrollment.state, action)
    reason_required = found.reason_required if found is not None else False
    form = DecisionForm(request.POST, prefix=action, reason_required=reason_required)
    if not form.is_valid():
        if found is not None and found.allowed(request.user, enrollment):
            return _render(request, enrollment, failed_action=action, failed_form=form, status=400)
        messages.error(request, "Cette action n'est pas possible sur cette demande.")
        return redirect("enrollments:detail", public_id=enrollment.public_id)
    try:
        enrollment_decide(
            enrollment=enrollment,
            action=action,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, ACTION_DONE.get(action, "C'est fait."))
    return redirect("enrollments:detail", public_id=enrollment.public_id)


@require_POST
def message_create(request, public_id):
    enrollment = enrollment_visible(request.user, public_id)
    form = MessageForm(request.POST)
    if not form.is_valid():
        return _render(request, enrollment, message_form=form, status=400)
    try:
        message_post(enrollment=enrollment, author=request.user, body=form.cleaned_data["body"], request=request)
    except TransitionRefused as error:
        form.add_error("body", str(error))
        return _render(request, enrollment, message_form=form, status=400)
    messages.success(request, "Votre message est envoyé : les autres personnes de la demande sont prévenues.")
    return redirect(reverse("enrollments:detail", args=[enrollment.public_id]) + "#messages")
