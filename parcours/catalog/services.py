"""Writes on the training offer: programmes (operator staff), actions, sessions and their half-days (providers).

Every function checks the actor's right on the object again (views check first, for the 403/404), runs in one
transaction, records an audit event and queues its emails there (sent on commit). Status changes of actions
and sessions are declared transitions (ACTION_WORKFLOW, SESSION_WORKFLOW) run by the workflows engine, which
locks the row, logs the transition and audits it. A refusal raises CatalogRefused (a TransitionRefused) with
a French message and changes nothing.
"""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from parcours.audit.services import audit_record
from parcours.catalog import notifications as categories
from parcours.catalog.enums import ActionStatus, CertificationRegistry, HalfDay, Modality, Sanction, SessionStatus
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from parcours.catalog.permissions import TRAINER_ROLES, can_manage_offer, can_unpublish, staff_operators
from parcours.catalog.signals import session_cancelled, session_capacity_raised
from parcours.notifications.inapp import notify
from parcours.organisations.directory.text import department_from_postal_code
from parcours.organisations.models import Membership, MembershipStatus, Organisation, Role
from parcours.workflows.engine import Context, Transition, TransitionRefused, Workflow, transition_run

PROGRAMME_FIELDS = (
    "name",
    "description",
    "starts_on",
    "ends_on",
    "who_asks",
    "employer_approval",
    "provider_validation",
    "funding",
    "is_active",
)
ACTION_FIELDS = (
    "title",
    "summary",
    "objectives",
    "audience",
    "prerequisites",
    "nature",
    "duration_hours",
    "price",
    "payment_terms",
    "cancellation_terms",
    "modality",
    "place",
    "department_code",
    "accessibility",
    "what_to_bring",
    "assessment",
    "sanction",
    "certification_registry",
    "certification_code",
    "contact_name",
    "contact_email",
    "contact_phone",
)
SESSION_FIELDS = ("starts_on", "ends_on", "place", "department_code", "capacity", "registration_deadline")

# The usual half-days "Ajouter les demi-journées habituelles" creates.
USUAL_HOURS = {
    HalfDay.MORNING: (datetime.time(9, 0), datetime.time(12, 30)),
    HalfDay.AFTERNOON: (datetime.time(13, 30), datetime.time(17, 0)),
}
# A morning ends by 14:00, an afternoon starts from 12:00: the half-day label must match the times.
MORNING_LATEST_END = datetime.time(14, 0)
AFTERNOON_EARLIEST_START = datetime.time(12, 0)
CERTIFICATION_CODE = re.compile(r"^\d{1,7}$")
_POSTAL_CODE = re.compile(r"(?<!\d)(\d{5})(?!\d)")


class CatalogRefused(TransitionRefused):
    """The change cannot be made; `problems` lists every reason when there are several (publication)."""

    def __init__(self, message: str, problems: list[str] | None = None, *, field: str | None = None):
        super().__init__(message)
        self.problems = problems or [message]
        # The form field the message belongs next to, when it is about one.
        self.field = field


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _pick(data: dict, fields: Iterable[str]) -> dict:
    return {name: data[name] for name in fields if name in data}


def _assign(obj, values: dict) -> list[str]:
    """Set the values that differ; the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def department_from_place(place: str) -> str:
    """The department of the last postal code written in an address ("12 rue X, 75002 Paris" → "75")."""
    codes = _POSTAL_CODE.findall(place or "")
    return department_from_postal_code(codes[-1]) if codes else ""


# --- Programmes ---------------------------------------------------------------------------------------------


def _period_check(starts_on, ends_on) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise CatalogRefused("La fin de la période ne peut pas précéder son début.")


def programme_create(*, operator: Organisation, actor, data: dict[str, Any], request=None) -> Programme:
    _require(operator.is_operator and any(staff.pk == operator.pk for staff in staff_operators(actor)))
    values = _pick(data, PROGRAMME_FIELDS)
    _period_check(values.get("starts_on"), values.get("ends_on"))
    with transaction.atomic():
        programme = Programme.objects.create(operator=operator, **values)
        audit_record(
            event_type="catalog.programme_created",
            actor=actor,
            organisation_id=operator.public_id,
            target=programme,
            request=request,
            details={"name": programme.name},
        )
    return programme


def programme_update(*, programme: Programme, actor, data: dict[str, Any], request=None) -> Programme:
    _require(any(staff.pk == programme.operator_id for staff in staff_operators(actor)))
    values = _pick(data, PROGRAMME_FIELDS)
    with transaction.atomic():
        locked = Programme.objects.select_for_update(of=("self",)).select_related("operator").get(pk=programme.pk)
        changed = _assign(locked, values)
        _period_check(locked.starts_on, locked.ends_on)
        if changed:
            locked.save(update_fields=changed)
            audit_record(
                event_type="catalog.programme_updated",
                actor=actor,
                organisation_id=locked.operator.public_id,
                target=locked,
                request=request,
                details={"fields": changed},
            )
    return locked


# --- Training actions ---------------------------------------------------------------------------------------


def action_publication_problems(action: TrainingAction, programmes: Iterable[Programme] | None = None) -> list[str]:
    """What keeps the action from the catalog, in French; empty when it may be published."""
    problems = []
    required = {
        "title": "l'intitulé",
        "summary": "le résumé",
        "objectives": "les objectifs",
        "audience": "le public visé",
        "accessibility": "l'accessibilité aux personnes en situation de handicap",
        "assessment": "les modalités d'évaluation",
        "nature": "la nature de l'action",
        "modality": "la modalité",
        "sanction": "la sanction",
    }
    missing = [label for name, label in required.items() if not str(getattr(action, name) or "").strip()]
    if action.modality in (Modality.ON_SITE, Modality.MIXED) and not action.place.strip():
        missing.append("le lieu (l'action a lieu au moins en partie en présentiel)")
    if missing:
        problems.append("Complétez " + ", ".join(missing) + ".")
    if action.duration_hours is None or action.duration_hours <= 0:
        problems.append("Indiquez la durée de l'action en heures.")
    if action.price is None or action.price < 0:
        problems.append("Indiquez le prix de l'action.")
    if action.certification_code or action.certification_registry:
        if action.certification_registry not in (CertificationRegistry.RNCP, CertificationRegistry.RS) or not (
            CERTIFICATION_CODE.match(action.certification_code or "")
        ):
            problems.append("Le code de la certification s'écrit RNCP ou RS suivi de chiffres, par exemple RNCP34567.")
    elif action.sanction == Sanction.CERTIFICATE:
        problems.append("Indiquez le code RNCP ou RS de la certification à laquelle l'action prépare.")
    programmes = list(action.programmes.all()) if programmes is None else list(programmes)
    if not any(programme.is_active for programme in programmes):
        problems.append("Proposez l'action dans au moins un programme ouvert.")
    return problems


def _action_values(data: dict[str, Any]) -> dict:
    values = _pick(data, ACTION_FIELDS)
    for name in ("certification_registry", "certification_code", "department_code"):
        if name in values:
            values[name] = values[name] or ""
    if not values.get("department_code") and "place" in values:
        values["department_code"] = department_from_place(values["place"])
    return values


def action_create(*, provider: Organisation, actor, data: dict[str, Any], request=None) -> TrainingAction:
    """A draft action; `data` holds the model's fields and `programmes`."""
    _require(can_manage_offer(actor, provider))
    now = timezone.now()
    with transaction.atomic():
        action = TrainingAction.objects.create(
            provider=provider, status=ActionStatus.DRAFT, created_at=now, updated_at=now, **_action_values(data)
        )
        action.programmes.set(data.get("programmes") or [])
        audit_record(
            event_type="catalog.action_created",
            actor=actor,
            organisation_id=provider.public_id,
            target=action,
            request=request,
            details={"title": action.title},
        )
    return action


def action_update(*, action: TrainingAction, actor, data: dict[str, Any], request=None) -> TrainingAction:
    """Edit a draft or published action; a published one must stay publishable."""
    _require(can_manage_offer(actor, action.provider))
    with transaction.atomic():
        locked = TrainingAction.objects.select_for_update(of=("self",)).select_related("provider").get(pk=action.pk)
        if locked.status == ActionStatus.ARCHIVED:
            raise CatalogRefused("Cette action est archivée : remettez-la en brouillon pour la modifier.")
        changed = _assign(locked, _action_values(data))
        programmes = list(data["programmes"]) if "programmes" in data else list(locked.programmes.all())
        if locked.status == ActionStatus.PUBLISHED:
            problems = action_publication_problems(locked, programmes)
            if problems:
                raise CatalogRefused(
                    "Cette action est publiée : elle doit rester complète. " + " ".join(problems), problems
                )
        if "programmes" in data:
            before = set(locked.programmes.values_list("pk", flat=True))
            if before != {programme.pk for programme in programmes}:
                locked.programmes.set(programmes)
                changed.append("programmes")
        if changed:
            locked.updated_at = timezone.now()
            locked.save(update_fields=[name for name in changed if name != "programmes"] + ["updated_at"])
            audit_record(
                event_type="catalog.action_updated",
                actor=actor,
                organisation_id=locked.provider.public_id,
                target=locked,
                request=request,
                details={"fields": changed},
            )
    return locked


def _offer_manager(actor, action) -> bool:
    return can_manage_offer(actor, action.provider)


def _publication_guard(context: Context) -> str | None:
    problems = action_publication_problems(context.obj)
    return " ".join(problems) or None


def _action_published(context: Context) -> None:
    action = context.obj
    action.published_at = action.updated_at = timezone.now()
    # Publishing again after an operator's withdrawal means the provider has dealt with the reason.
    action.unpublished_reason = ""
    action.unpublished_at = None
    action.save(update_fields=["published_at", "updated_at", "unpublished_reason", "unpublished_at"])


def _action_touched(context: Context) -> None:
    context.obj.updated_at = timezone.now()
    context.obj.save(update_fields=["updated_at"])


def _offer_managers(provider: Organisation) -> list:
    return [
        membership.user
        for membership in Membership.objects.filter(
            organisation=provider,
            status=MembershipStatus.ACTIVE,
            role__in=(Role.REFERENT, Role.MANAGER),
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ]


def _action_unpublished(context: Context) -> None:
    action = context.obj
    action.unpublished_reason = context.reason
    action.unpublished_at = action.updated_at = timezone.now()
    action.save(update_fields=["unpublished_reason", "unpublished_at", "updated_at"])
    provider = Organisation.objects.get(pk=action.provider_id)
    url = reverse("catalog_manage:action_detail", args=[action.public_id])
    for user in _offer_managers(provider):
        notify(
            user,
            category=categories.ACTION_UNPUBLISHED,
            title=f"« {action.title} » a été retirée du catalogue",
            body=f"Motif : {context.reason}",
            url=url,
            email_template="catalog/action_unpublished",
            context={
                "action": action.title,
                "organisation": provider.name,
                "operator": context.data.get("operator", ""),
                "reason": context.reason,
            },
        )


ACTION_WORKFLOW = Workflow(
    name="catalog_action",
    model=TrainingAction,
    state_field="status",
    states=ActionStatus,
    transitions=(
        Transition(
            ActionStatus.DRAFT,
            "publish",
            ActionStatus.PUBLISHED,
            allowed=_offer_manager,
            guard=_publication_guard,
            effects=(_action_published,),
            label="Publier",
        ),
        Transition(
            (ActionStatus.DRAFT, ActionStatus.PUBLISHED),
            "archive",
            ActionStatus.ARCHIVED,
            allowed=_offer_manager,
            effects=(_action_touched,),
            label="Archiver",
        ),
        Transition(
            (ActionStatus.PUBLISHED, ActionStatus.ARCHIVED),
            "to_draft",
            ActionStatus.DRAFT,
            allowed=_offer_manager,
            effects=(_action_touched,),
            label="Repasser en brouillon",
        ),
        Transition(
            ActionStatus.PUBLISHED,
            "unpublish",
            ActionStatus.DRAFT,
            allowed=can_unpublish,
            reason_required=True,
            effects=(_action_unpublished,),
            label="Retirer du catalogue",
        ),
    ),
)

_ACTION_STATE_MESSAGES = {
    ("publish", ActionStatus.PUBLISHED): "Cette action est déjà publiée.",
    ("publish", ActionStatus.ARCHIVED): "Cette action est archivée : remettez-la en brouillon avant de la publier.",
    ("archive", ActionStatus.ARCHIVED): "Cette action est déjà archivée.",
    ("to_draft", ActionStatus.DRAFT): "Cette action est déjà en brouillon.",
    ("unpublish", ActionStatus.DRAFT): "Cette action n'est plus au catalogue.",
    ("unpublish", ActionStatus.ARCHIVED): "Cette action n'est plus au catalogue.",
}


def _action_transition(action: TrainingAction, name: str, *, actor, reason="", request=None, data=None):
    with transaction.atomic():
        current = TrainingAction.objects.select_for_update().get(pk=action.pk)
        if ACTION_WORKFLOW.find(current.status, name) is None:
            raise CatalogRefused(
                _ACTION_STATE_MESSAGES.get(
                    (name, current.status),
                    f"Impossible : cette action est « {current.get_status_display().lower()} ». Rechargez la page.",
                )
            )
        return transition_run(ACTION_WORKFLOW, current, name, actor=actor, reason=reason, request=request, data=data)


def action_publish(*, action: TrainingAction, actor, request=None) -> TrainingAction:
    """Publish; the public catalog shows it only once the provider's organisation is validated (active)."""
    _require(can_manage_offer(actor, action.provider))
    problems = action_publication_problems(action)
    if problems and action.status == ActionStatus.DRAFT:
        raise CatalogRefused("L'action ne peut pas encore être publiée. " + " ".join(problems), problems)
    return _action_transition(action, "publish", actor=actor, request=request)


def action_archive(*, action: TrainingAction, actor, request=None) -> TrainingAction:
    _require(can_manage_offer(actor, action.provider))
    return _action_transition(action, "archive", actor=actor, request=request)


def action_to_draft(*, action: TrainingAction, actor, request=None) -> TrainingAction:
    _require(can_manage_offer(actor, action.provider))
    return _action_transition(action, "to_draft", actor=actor, request=request)


def action_unpublish(*, action: TrainingAction, actor, reason: str, request=None) -> TrainingAction:
    """An operator takes the action off the catalog (back to draft); the provider's managers are told why."""
    _require(can_unpublish(actor, action))
    reason = (reason or "").strip()
    if not reason:
        raise CatalogRefused("Indiquez le motif du retrait : il est envoyé à l'organisme de formation.")
    operator_ids = {operator.pk: operator.name for operator in staff_operators(actor)}
    operator = next(
        (operator_ids[pk] for pk in action.programmes.values_list("operator_id", flat=True) if pk in operator_ids),
        "",
    )
    return _action_transition(
        action, "unpublish", actor=actor, reason=reason, request=request, data={"operator": operator}
    )


# --- Sessions -----------------------------------------------------------------------------------------------


def _session_manager(actor, session) -> bool:
    return can_manage_offer(actor, session.action.provider)


def _trainers_check(provider: Organisation, trainers: Iterable) -> list:
    trainers = list({user.pk: user for user in trainers}.values())
    if trainers:
        eligible = set(
            Membership.objects.filter(
                organisation=provider,
                user__in=trainers,
                status=MembershipStatus.ACTIVE,
                role__in=TRAINER_ROLES,
            ).values_list("user_id", flat=True)
        )
        if any(user.pk not in eligible for user in trainers):
            raise CatalogRefused(
                "Choisissez les formateurs parmi les membres actifs de votre structure "
                "(formateurs, gestionnaires ou référents)."
            )
    return trainers


def _session_dates_check(values: dict, *, today: datetime.date, was_start: datetime.date | None = None) -> None:
    starts_on, ends_on, deadline = values["starts_on"], values["ends_on"], values["registration_deadline"]
    if ends_on < starts_on:
        raise CatalogRefused("La fin de la session ne peut pas précéder son début.")
    if deadline > starts_on:
        raise CatalogRefused("La date limite d'inscription doit précéder le début de la session (ou être ce jour-là).")
    if starts_on < today and starts_on != was_start:
        raise CatalogRefused("La session ne peut pas commencer dans le passé.")
    if values["capacity"] < 1:
        raise CatalogRefused("Une session compte au moins une place.")


def _session_values(data: dict[str, Any], action: TrainingAction) -> dict:
    values = _pick(data, SESSION_FIELDS)
    values["place"] = values.get("place") or ""
    values["department_code"] = (values.get("department_code") or department_from_place(values["place"]) or "").upper()
    if not values["place"] and action.modality != Modality.REMOTE:
        raise CatalogRefused("Indiquez le lieu de la session : l'action a lieu au moins en partie en présentiel.")
    return values


def _session_url_for(user, session: Session) -> str:
    """The session's page for those who manage the offer; a trainer has none to open (yet)."""
    if Membership.objects.filter(
        user=user,
        organisation_id=session.action.provider_id,
        status=MembershipStatus.ACTIVE,
        role__in=(Role.REFERENT, Role.MANAGER),
    ).exists():
        return reverse("catalog_manage:session_detail", args=[session.public_id])
    return ""


def _trainers_notify(session: Session, users: Iterable, actor) -> None:
    for user in users:
        if user.pk == getattr(actor, "pk", None):
            continue
        url = _session_url_for(user, session)
        notify(
            user,
            category=categories.TRAINER_ASSIGNED,
            title=f"Vous animez une session de « {session.action.title} »",
            body=f"Du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}",
            url=url,
            email_template="catalog/trainer_assigned",
            context={
                "action": session.action.title,
                "organisation": session.action.provider.name,
                "starts_on": session.starts_on,
                "ends_on": session.ends_on,
                "place": session.place,
            },
        )


def session_create(*, action: TrainingAction, actor, data: dict[str, Any], request=None) -> Session:
    """A session open for registrations; `data` holds the model's fields and `trainers`."""
    _require(can_manage_offer(actor, action.provider))
    if action.status == ActionStatus.ARCHIVED:
        raise CatalogRefused("Cette action est archivée : remettez-la en brouillon pour lui ajouter une session.")
    values = _session_values(data, action)
    _session_dates_check(values, today=timezone.localdate())
    trainers = _trainers_check(action.provider, data.get("trainers") or [])
    now = timezone.now()
    with transaction.atomic():
        session = Session.objects.create(
            action=action, status=SessionStatus.OPEN, created_at=now, updated_at=now, **values
        )
        session.trainers.set(trainers)
        audit_record(
            event_type="catalog.session_created",
            actor=actor,
            organisation_id=action.provider.public_id,
            target=session,
            request=request,
            details={"action": str(action.public_id), "capacity": session.capacity},
        )
        _trainers_notify(session, trainers, actor)
    return session


def session_update(*, session: Session, actor, data: dict[str, Any], request=None) -> Session:
    """Edit a session that is not cancelled; more places reopen a full one and wake the waiting list."""
    _require(can_manage_offer(actor, session.action.provider))
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).select_related("action__provider").get(pk=session.pk)
        if locked.status == SessionStatus.CANCELLED:
            raise CatalogRefused("Cette session est annulée : elle ne peut plus être modifiée.")
        action = locked.action
        values = _session_values(data, action)
        _session_dates_check(values, today=timezone.localdate(), was_start=locked.starts_on)
        outside = locked.slots.exclude(date__range=(values["starts_on"], values["ends_on"]))
        if outside.exists():
            raise CatalogRefused(
                "Des demi-journées tombent en dehors des nouvelles dates : supprimez-les avant de changer les dates."
            )
        # enrolled_count is exact here: the enrollment workflow changes it under this same row lock.
        if values["capacity"] < locked.enrolled_count:
            enrolled = locked.enrolled_count
            who = "1 personne est déjà inscrite" if enrolled == 1 else f"{enrolled} personnes sont déjà inscrites"
            places = "1 place" if enrolled == 1 else f"{enrolled} places"
            raise CatalogRefused(
                f"{who} à cette session : elle ne peut pas compter moins de {places}."
                " Annulez d'abord des inscriptions pour réduire davantage le nombre de places.",
                field="capacity",
            )
        old_capacity = locked.capacity
        changed = _assign(locked, values)
        raised = locked.capacity > old_capacity
        if raised and locked.status == SessionStatus.FULL:
            # New places: the session takes registrations again (enrollments may fill it from the waiting list).
            locked.status = SessionStatus.OPEN
            changed.append("status")
        elif locked.status == SessionStatus.OPEN and 0 < locked.capacity == locked.enrolled_count:
            # Lowered to the number enrolled: no place left, as when the workflow takes the last one.
            locked.status = SessionStatus.FULL
            changed.append("status")
        new_trainers = []
        if "trainers" in data:
            trainers = _trainers_check(action.provider, data["trainers"])
            before = set(locked.trainers.values_list("pk", flat=True))
            if before != {user.pk for user in trainers}:
                locked.trainers.set(trainers)
                new_trainers = [user for user in trainers if user.pk not in before]
                changed.append("trainers")
        if changed:
            locked.updated_at = timezone.now()
            locked.save(update_fields=[name for name in changed if name != "trainers"] + ["updated_at"])
            audit_record(
                event_type="catalog.session_updated",
                actor=actor,
                organisation_id=action.provider.public_id,
                target=locked,
                request=request,
                details={"fields": changed, "capacity": [old_capacity, locked.capacity]},
            )
        _trainers_notify(locked, new_trainers, actor)
        if raised:
            session_capacity_raised.send(sender=Session, session=locked, actor=actor)
    return locked


def _reopen_guard(context: Context) -> str | None:
    if context.obj.registration_deadline < timezone.localdate():
        return "La date limite d'inscription est passée : reportez-la avant de rouvrir les inscriptions."
    return None


def _cancel_guard(context: Context) -> str | None:
    if context.obj.ends_on < timezone.localdate():
        return "Cette session est terminée : elle ne peut plus être annulée."
    return None


def _session_touched(context: Context) -> None:
    context.obj.updated_at = timezone.now()
    context.obj.save(update_fields=["updated_at"])


def _session_cancelled(context: Context) -> None:
    session = context.obj
    session.cancelled_reason = context.reason
    session.updated_at = timezone.now()
    session.save(update_fields=["cancelled_reason", "updated_at"])
    # Enrollments cancels the session's requests and tells everyone, in this transaction.
    session_cancelled.send(sender=Session, session=session, actor=context.actor, reason=context.reason)
    action = TrainingAction.objects.select_related("provider").get(pk=session.action_id)
    session.action = action
    for user in session.trainers.filter(is_active=True).order_by("pk"):
        if user.pk == getattr(context.actor, "pk", None):
            continue
        url = _session_url_for(user, session)
        notify(
            user,
            category=categories.SESSION_CANCELLED,
            title=f"Session annulée : « {action.title} »",
            body=f"Du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}. Motif : {context.reason}",
            url=url,
            email_template="catalog/session_cancelled",
            context={
                "action": action.title,
                "organisation": action.provider.name,
                "starts_on": session.starts_on,
                "ends_on": session.ends_on,
                "reason": context.reason,
            },
        )


def _anyone(actor, obj) -> bool:
    return True


SESSION_WORKFLOW = Workflow(
    name="catalog_session",
    model=Session,
    state_field="status",
    states=SessionStatus,
    transitions=(
        Transition(
            (SessionStatus.OPEN, SessionStatus.FULL),
            "close",
            SessionStatus.CLOSED,
            allowed=_session_manager,
            effects=(_session_touched,),
            label="Clore les inscriptions",
        ),
        Transition(
            SessionStatus.CLOSED,
            "reopen",
            SessionStatus.OPEN,
            allowed=_session_manager,
            guard=_reopen_guard,
            effects=(_session_touched,),
            label="Rouvrir les inscriptions",
        ),
        Transition(
            (SessionStatus.OPEN, SessionStatus.FULL, SessionStatus.CLOSED),
            "cancel",
            SessionStatus.CANCELLED,
            allowed=_session_manager,
            guard=_cancel_guard,
            reason_required=True,
            effects=(_session_cancelled,),
            label="Annuler la session",
        ),
        # For the enrollments scheme, inside its own transaction: the last place taken, a place freed.
        Transition(SessionStatus.OPEN, "fill", SessionStatus.FULL, allowed=_anyone, system=True, label="Complète"),
        Transition(
            SessionStatus.FULL, "free", SessionStatus.OPEN, allowed=_anyone, system=True, label="Place libérée"
        ),
    ),
)

_SESSION_STATE_MESSAGES = {
    ("close", SessionStatus.CLOSED): "Les inscriptions à cette session sont déjà closes.",
    ("reopen", SessionStatus.OPEN): "Les inscriptions à cette session sont déjà ouvertes.",
    ("reopen", SessionStatus.FULL): "Cette session est complète : ajoutez des places pour rouvrir les inscriptions.",
    ("cancel", SessionStatus.CANCELLED): "Cette session est déjà annulée.",
}


def _session_transition(session: Session, name: str, *, actor, reason="", request=None) -> Session:
    with transaction.atomic():
        current = Session.objects.select_for_update().get(pk=session.pk)
        if SESSION_WORKFLOW.find(current.status, name) is None:
            raise CatalogRefused(
                _SESSION_STATE_MESSAGES.get(
                    (name, current.status),
                    f"Impossible : cette session est « {current.get_status_display().lower()} ». Rechargez la page.",
                )
            )
        return transition_run(SESSION_WORKFLOW, current, name, actor=actor, reason=reason, request=request)


def session_close(*, session: Session, actor, request=None) -> Session:
    _require(can_manage_offer(actor, session.action.provider))
    return _session_transition(session, "close", actor=actor, request=request)


def session_reopen(*, session: Session, actor, request=None) -> Session:
    _require(can_manage_offer(actor, session.action.provider))
    return _session_transition(session, "reopen", actor=actor, request=request)


def session_cancel(*, session: Session, actor, reason: str, request=None) -> Session:
    """Cancel with a reason; sends `session_cancelled` inside the transaction (enrollments cancels its requests)."""
    _require(can_manage_offer(actor, session.action.provider))
    reason = (reason or "").strip()
    if not reason:
        raise CatalogRefused("Indiquez le motif de l'annulation : il est transmis aux personnes inscrites.")
    return _session_transition(session, "cancel", actor=actor, reason=reason, request=request)


# --- Half-days ----------------------------------------------------------------------------------------------


def _slot_check(session: Session, date, half_day: str, starts_at, ends_at) -> None:
    if not session.starts_on <= date <= session.ends_on:
        raise CatalogRefused(
            f"Choisissez une date de la session : du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}."
        )
    if ends_at <= starts_at:
        raise CatalogRefused("L'heure de fin doit suivre l'heure de début.")
    if half_day == HalfDay.MORNING and ends_at > MORNING_LATEST_END:
        raise CatalogRefused("Une matinée se termine au plus tard à 14 h : choisissez « Après-midi ».")
    if half_day == HalfDay.AFTERNOON and starts_at < AFTERNOON_EARLIEST_START:
        raise CatalogRefused("Un après-midi commence au plus tôt à 12 h : choisissez « Matin ».")


def _session_for_slots(session: Session) -> Session:
    locked = Session.objects.select_for_update(of=("self",)).select_related("action__provider").get(pk=session.pk)
    if locked.status == SessionStatus.CANCELLED:
        raise CatalogRefused("Cette session est annulée : ses demi-journées ne changent plus.")
    return locked


def slot_add(*, session: Session, actor, date, half_day: str, starts_at, ends_at, request=None) -> Slot:
    _require(can_manage_offer(actor, session.action.provider))
    with transaction.atomic():
        locked = _session_for_slots(session)
        _slot_check(locked, date, half_day, starts_at, ends_at)
        if locked.slots.filter(date=date, half_day=half_day).exists():
            raise CatalogRefused(
                f"La demi-journée du {date:%d/%m/%Y} ({HalfDay(half_day).label.lower()}) existe déjà."
            )
        slot = Slot.objects.create(session=locked, date=date, half_day=half_day, starts_at=starts_at, ends_at=ends_at)
        audit_record(
            event_type="catalog.slot_added",
            actor=actor,
            organisation_id=locked.action.provider.public_id,
            target=locked,
            request=request,
            details={"date": date.isoformat(), "half_day": half_day},
        )
    return slot


def usual_days(session: Session) -> list[datetime.date]:
    """Every day of the session but the weekends inside it (a session chosen to start or end on one keeps it)."""
    days = []
    day = session.starts_on
    while day <= session.ends_on:
        if day.weekday() < 5 or day in (session.starts_on, session.ends_on):
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def slots_add_usual(*, session: Session, actor, request=None) -> int:
    """Add the usual morning and afternoon of each day of the session that lacks them; how many were added."""
    _require(can_manage_offer(actor, session.action.provider))
    with transaction.atomic():
        locked = _session_for_slots(session)
        existing = set(locked.slots.values_list("date", "half_day"))
        new = [
            Slot(session=locked, date=day, half_day=half_day, starts_at=start, ends_at=end)
            for day in usual_days(locked)
            for half_day, (start, end) in USUAL_HOURS.items()
            if (day, half_day) not in existing
        ]
        Slot.objects.bulk_create(new)
        if new:
            audit_record(
                event_type="catalog.slots_added",
                actor=actor,
                organisation_id=locked.action.provider.public_id,
                target=locked,
                request=request,
                details={"count": len(new)},
            )
    return len(new)


def slot_remove(*, slot: Slot, actor, request=None) -> None:
    session = slot.session
    _require(can_manage_offer(actor, session.action.provider))
    with transaction.atomic():
        locked = _session_for_slots(session)
        deleted, _ = Slot.objects.filter(pk=slot.pk, session=locked).delete()
        if deleted:
            audit_record(
                event_type="catalog.slot_removed",
                actor=actor,
                organisation_id=locked.action.provider.public_id,
                target=locked,
                request=request,
                details={"date": slot.date.isoformat(), "half_day": slot.half_day},
            )
