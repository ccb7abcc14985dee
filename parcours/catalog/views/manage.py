"""The providers' space "Mon offre de formation": actions, their publication, sessions and half-days.

For référents and managers of a provider. An action or session of another provider is a 404 (nothing leaks
by id); an employee or trainer of the same provider gets a 403. Lists follow the organisation switcher.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from parcours.catalog import services
from parcours.catalog.enums import ActionStatus, Modality, SessionStatus
from parcours.catalog.forms import ActionForm, ReasonForm, SessionForm, SlotForm
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from parcours.catalog.permissions import can_manage_offer, is_member, offer_providers, staff_operators
from parcours.catalog.services import CatalogRefused
from parcours.organisations.current import current_organisation, organisation_follow
from parcours.workflows.engine import TransitionRefused

ACTIONS_PER_PAGE = 20
SESSIONS_PER_PAGE = 20
STATUS_FILTERS = {
    "brouillons": ActionStatus.DRAFT,
    "publiees": ActionStatus.PUBLISHED,
    "archivees": ActionStatus.ARCHIVED,
}


def _provider(request):
    """The provider whose offer the lists show: the switcher's organisation if the person manages its offer."""
    providers = offer_providers(request.user)
    if not providers:
        raise PermissionDenied
    current = current_organisation(request)
    return next(
        (provider for provider in providers if current is not None and provider.pk == current.pk), providers[0]
    )


def _check(request, provider) -> None:
    if not can_manage_offer(request.user, provider):
        # A member of the provider (employee, trainer) knows it exists: 403; anyone else learns nothing.
        if is_member(request.user, provider):
            raise PermissionDenied
        raise Http404
    if request.method == "GET":
        organisation_follow(request, provider)


def _action(request, public_id) -> TrainingAction:
    action = get_object_or_404(TrainingAction.objects.select_related("provider"), public_id=public_id)
    _check(request, action.provider)
    return action


def _session(request, public_id) -> Session:
    session = get_object_or_404(Session.objects.select_related("action__provider"), public_id=public_id)
    _check(request, session.action.provider)
    return session


def _crumbs(action: TrainingAction | None = None) -> list[dict]:
    crumbs = [{"label": "Mon offre de formation", "url": reverse("catalog_manage:actions")}]
    if action is not None:
        crumbs.append({"label": action.title, "url": _action_url(action)})
    return crumbs


def _action_url(action) -> str:
    return reverse("catalog_manage:action_detail", args=[action.public_id])


def _session_url(session) -> str:
    return reverse("catalog_manage:session_detail", args=[session.public_id])


def _refused(request, error: TransitionRefused) -> None:
    problems = getattr(error, "problems", None) or [str(error)]
    for problem in problems:
        messages.error(request, problem)


def _status_change(request, change, *, success: str, url: str):
    """A status button (archive, close...): run the service, say what happened, back to the page."""
    try:
        change()
    except TransitionRefused as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return redirect(url)


# --- Actions ------------------------------------------------------------------------------------------------


@require_http_methods(["GET"])
def actions(request):
    if not offer_providers(request.user) and staff_operators(request.user):
        # Operator staff manage programmes, not an offer of their own.
        return redirect("catalog_manage:programmes")
    provider = _provider(request)
    status_filter = request.GET.get("statut", "")
    queryset = (
        TrainingAction.objects.filter(provider=provider)
        .annotate(sessions_count=Count("sessions"))
        .prefetch_related(Prefetch("programmes", queryset=Programme.objects.order_by("name")))
        .order_by("-updated_at", "-pk")
    )
    if status_filter in STATUS_FILTERS:
        queryset = queryset.filter(status=STATUS_FILTERS[status_filter])
    else:
        status_filter = ""
    page = Paginator(queryset, ACTIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/manage/actions.html",
        {
            "provider": provider,
            "page": page,
            "status_filter": status_filter,
            "query": f"statut={status_filter}" if status_filter else "",
            "filters": [
                ("", "Toutes"),
                ("brouillons", "Brouillons"),
                ("publiees", "Publiées"),
                ("archivees", "Archivées"),
            ],
        },
    )


@require_http_methods(["GET", "POST"])
def action_create(request):
    provider = _provider(request)
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(
                provider=provider, actor=request.user, data=form.service_data(), request=request
            )
        except CatalogRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "L'action est enregistrée en brouillon. Publiez-la quand elle est prête.")
            return redirect(_action_url(action))
    return render(
        request,
        "catalog/manage/action_form.html",
        {"form": form, "provider": provider, "crumbs": _crumbs(), "title": "Nouvelle action de formation"},
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET"])
def action_detail(request, public_id):
    action = _action(request, public_id)
    sessions = (
        action.sessions.annotate(slots_count=Count("slots")).prefetch_related("trainers").order_by("-starts_on", "-pk")
    )
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    programmes = list(action.programmes.select_related("operator").order_by("name"))
    return render(
        request,
        "catalog/manage/action_detail.html",
        {
            "action": action,
            "provider": action.provider,
            "programmes": programmes,
            "problems": services.action_publication_problems(action, programmes)
            if action.status == ActionStatus.DRAFT
            else [],
            "page": page,
            "crumbs": _crumbs(),
        },
    )


@require_http_methods(["GET", "POST"])
def action_edit(request, public_id):
    action = _action(request, public_id)
    title = action.title
    if action.status == ActionStatus.ARCHIVED:
        messages.error(request, "Cette action est archivée : remettez-la en brouillon pour la modifier.")
        return redirect(_action_url(action))
    form = ActionForm(request.POST or None, instance=action)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(action=action, actor=request.user, data=form.service_data(), request=request)
        except CatalogRefused as error:
            for problem in error.problems:
                form.add_error(None, problem)
        else:
            messages.success(request, "Les modifications de l'action sont enregistrées.")
            return redirect(_action_url(action))
    return render(
        request,
        "catalog/manage/action_form.html",
        {
            "form": form,
            "provider": action.provider,
            "action": action,
            "crumbs": [*_crumbs(), {"label": title, "url": _action_url(action)}],
            "title": f"Modifier « {title} »",
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def action_publish(request, public_id):
    action = _action(request, public_id)
    try:
        services.action_publish(action=action, actor=request.user, request=request)
    except TransitionRefused as error:
        _refused(request, error)
    else:
        if action.provider.is_active:
            messages.success(request, "L'action est publiée : elle apparaît dans le catalogue.")
        else:
            messages.warning(
                request,
                "L'action est publiée, mais elle reste masquée du catalogue tant que votre structure "
                "n'est pas validée par un opérateur.",
            )
    return redirect(_action_url(action))


@require_POST
def action_archive(request, public_id):
    action = _action(request, public_id)
    return _status_change(
        request,
        lambda: services.action_archive(action=action, actor=request.user, request=request),
        success="L'action est archivée : elle n'apparaît plus dans le catalogue.",
        url=_action_url(action),
    )


@require_POST
def action_to_draft(request, public_id):
    action = _action(request, public_id)
    return _status_change(
        request,
        lambda: services.action_to_draft(action=action, actor=request.user, request=request),
        success="L'action est repassée en brouillon : elle n'apparaît plus dans le catalogue.",
        url=_action_url(action),
    )


# --- Sessions -----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_create(request, public_id):
    action = _action(request, public_id)
    if action.status == ActionStatus.ARCHIVED:
        messages.error(request, "Cette action est archivée : remettez-la en brouillon pour lui ajouter une session.")
        return redirect(_action_url(action))
    # The action's usual place is proposed (the form's initial cannot: the new instance's empty place wins).
    session = Session(action=action)
    if action.modality != Modality.REMOTE:
        session.place, session.department_code = action.place, action.department_code
    form = SessionForm(request.POST or None, action=action, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                action=action, actor=request.user, data=form.service_data(), request=request
            )
        except CatalogRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La session est créée. Ajoutez maintenant ses demi-journées.")
            return redirect(_session_url(session))
    return render(
        request,
        "catalog/manage/session_form.html",
        {"form": form, "action": action, "crumbs": _crumbs(action), "title": "Nouvelle session"},
        status=400 if form.is_bound else 200,
    )


def _session_page(request, session, *, slot_form=None, status=200):
    slots = list(session.slots.all())
    return render(
        request,
        "catalog/manage/session_detail.html",
        {
            "session": session,
            "action": session.action,
            "slots": slots,
            "hours": sum(slot.hours for slot in slots),
            "trainers": list(session.trainers.order_by("last_name", "first_name")),
            "slot_form": slot_form or SlotForm(session=session, initial={"date": session.starts_on}),
            "usual_days": len(services.usual_days(session)),
            "editable": session.status != SessionStatus.CANCELLED,
            "crumbs": _crumbs(session.action),
        },
        status=status,
    )


@require_http_methods(["GET"])
def session_detail(request, public_id):
    return _session_page(request, _session(request, public_id))


@require_http_methods(["GET", "POST"])
def session_edit(request, public_id):
    session = _session(request, public_id)
    if session.status == SessionStatus.CANCELLED:
        messages.error(request, "Cette session est annulée : elle ne peut plus être modifiée.")
        return redirect(_session_url(session))
    form = SessionForm(request.POST or None, action=session.action, instance=session)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(session=session, actor=request.user, data=form.service_data(), request=request)
        except CatalogRefused as error:
            # Next to the field it is about (a capacity below the places taken), else above the form.
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Les modifications de la session sont enregistrées.")
            return redirect(_session_url(session))
    return render(
        request,
        "catalog/manage/session_form.html",
        {
            "form": form,
            "action": session.action,
            "session": session,
            "crumbs": _crumbs(session.action),
            "title": "Modifier la session",
        },
        status=400 if form.is_bound else 200,
    )


@require_POST
def session_close(request, public_id):
    session = _session(request, public_id)
    return _status_change(
        request,
        lambda: services.session_close(session=session, actor=request.user, request=request),
        success="Les inscriptions à la session sont closes.",
        url=_session_url(session),
    )


@require_POST
def session_reopen(request, public_id):
    session = _session(request, public_id)
    return _status_change(
        request,
        lambda: services.session_reopen(session=session, actor=request.user, request=request),
        success="Les inscriptions à la session sont rouvertes.",
        url=_session_url(session),
    )


def _cancel_form(data=None) -> ReasonForm:
    return ReasonForm(
        data,
        label="Motif de l'annulation",
        help_text="Il est envoyé aux personnes qui ont demandé une inscription et aux formateurs.",
    )


@require_http_methods(["GET", "POST"])
def session_cancel(request, public_id):
    session = _session(request, public_id)
    if session.status == SessionStatus.CANCELLED:
        messages.info(request, "Cette session est déjà annulée.")
        return redirect(_session_url(session))
    form = _cancel_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(
                session=session, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except TransitionRefused as error:
            _refused(request, error)
            return redirect(_session_url(session))
        messages.success(request, "La session est annulée : les personnes concernées sont prévenues.")
        return redirect(_session_url(session))
    return render(
        request,
        "catalog/manage/session_cancel.html",
        {"form": form, "session": session, "action": session.action, "crumbs": _crumbs(session.action)},
        status=400 if form.is_bound else 200,
    )


# --- Half-days ----------------------------------------------------------------------------------------------


@require_POST
def slot_add(request, public_id):
    session = _session(request, public_id)
    form = SlotForm(request.POST, session=session)
    if form.is_valid():
        try:
            services.slot_add(session=session, actor=request.user, request=request, **form.cleaned_data)
        except CatalogRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "La demi-journée est ajoutée.")
            return redirect(_session_url(session) + "#demi-journees")
    return _session_page(request, session, slot_form=form, status=400)


@require_POST
def slots_add_usual(request, public_id):
    session = _session(request, public_id)
    try:
        added = services.slots_add_usual(session=session, actor=request.user, request=request)
    except CatalogRefused as error:
        _refused(request, error)
    else:
        if added:
            messages.success(
                request, f"{added} demi-journée{'s' if added > 1 else ''} ajoutée{'s' if added > 1 else ''}."
            )
        else:
            messages.info(request, "Chaque jour de la session a déjà sa matinée et son après-midi.")
    return redirect(_session_url(session) + "#demi-journees")


@require_POST
def slot_remove(request, public_id, slot_id):
    session = _session(request, public_id)
    slot = get_object_or_404(Slot, public_id=slot_id, session=session)
    slot.session = session
    try:
        services.slot_remove(slot=slot, actor=request.user, request=request)
    except CatalogRefused as error:
        _refused(request, error)
    else:
        messages.success(request, f"La demi-journée du {slot} est supprimée.")
    return redirect(_session_url(session) + "#demi-journees")
