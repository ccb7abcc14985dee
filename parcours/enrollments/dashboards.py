"""Reads behind the dashboards by role (issue 6, point 6): the bénéficiaire's trainings, the employer's
requests and decisions, the provider's requests and sessions, the operator's requests.

Every list is a queryset the view paginates: related rows come with select_related, counts with one
aggregate, so a page costs the same few queries whatever its length. Filters arrive already validated
(forms in views/dashboards.py) as plain values.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf

from parcours.catalog.models import Programme, Session
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment, EnrollmentMessage, EnrollmentReadMarker
from parcours.organisations.models import Role
from parcours.organisations.permissions import active_memberships, operator_memberships
from parcours.workflows.models import TransitionLog

PER_PAGE = 25
# The bénéficiaire's page shows this many rows of each group, then links to the whole group.
GROUP_PREVIEW = 10

ENROLLMENT_TYPE = "enrollments.enrollment"
# The employer's decisions in the transition log, and how the dashboard names them.
EMPLOYER_APPROVE = "employer_approve"
EMPLOYER_REFUSE = "employer_refuse"
EMPLOYER_DECISION_ACTIONS = (EMPLOYER_APPROVE, EMPLOYER_REFUSE)


class Decision:
    APPROVED = "approved"
    REFUSED = "refused"
    DIRECT = "direct"

    LABELS = {APPROVED: "Accord", REFUSED: "Refus", DIRECT: "Inscription directe"}


REQUESTED_STATES = (EnrollmentState.PENDING_EMPLOYER, EnrollmentState.PENDING_PROVIDER, EnrollmentState.WAITLISTED)
REFUSED_STATES = (EnrollmentState.REFUSED_BY_EMPLOYER, EnrollmentState.REFUSED_BY_PROVIDER)
# What the provider has to answer.
PROVIDER_TO_VALIDATE = (EnrollmentState.PENDING_PROVIDER, EnrollmentState.WAITLISTED)
# The registrants of a session as the provider sees them; trainers see the enrolled only.
REGISTRANT_STATES = (EnrollmentState.ENROLLED, EnrollmentState.WAITLISTED, EnrollmentState.PENDING_PROVIDER)


def _enrollments() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related("session__action", "programme", "beneficiary", "employer", "provider")


def _ordered_by_state(states) -> Case:
    return Case(
        *[When(state=state, then=Value(rank)) for rank, state in enumerate(states)], output_field=IntegerField()
    )


def _period(queryset: QuerySet, field: str, date_from: datetime.date | None, date_to: datetime.date | None):
    if date_from:
        queryset = queryset.filter(**{f"{field}__date__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{field}__date__lte": date_to})
    return queryset


def _person_matches(prefix: str, text: str) -> Q:
    """Each word of `text` in the person's first name, names or email: "dupont marie" finds Marie Dupont."""
    query = Q()
    for word in text.split():
        query &= (
            Q(**{f"{prefix}first_name__icontains": word})
            | Q(**{f"{prefix}last_name__icontains": word})
            | Q(**{f"{prefix}usage_name__icontains": word})
            | Q(**{f"{prefix}email__icontains": word})
        )
    return query


def with_unread(queryset: QuerySet[Enrollment], user) -> QuerySet[Enrollment]:
    """Annotate `unread`: the thread's messages by others since the person last read it (one subquery)."""
    last_read = EnrollmentReadMarker.objects.filter(enrollment=OuterRef("enrollment"), user=user).values(
        "last_read_at"
    )[:1]
    unread = (
        EnrollmentMessage.objects.filter(enrollment=OuterRef("pk"))
        .exclude(author_id=user.pk)
        .annotate(last_read=Subquery(last_read, output_field=DateTimeField()))
        .filter(Q(last_read__isnull=True) | Q(created_at__gt=F("last_read")))
        .values("enrollment")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)))


# --- Bénéficiaire -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    empty: str


BENEFICIARY_GROUPS = (
    Group("a-venir", "Formations à venir", "Aucune inscription confirmée à venir."),
    Group("suivies", "Formations suivies ou en cours", "Aucune formation suivie pour l'instant."),
    Group("demandees", "Demandes en cours", "Aucune demande en cours."),
    Group("refusees", "Demandes refusées", "Aucune demande refusée."),
    Group("annulees", "Demandes annulées", "Aucune demande annulée."),
)
BENEFICIARY_GROUP_KEYS = tuple(group.key for group in BENEFICIARY_GROUPS)


def _beneficiary_group_q(key: str, today: datetime.date) -> Q:
    enrolled = Q(state=EnrollmentState.ENROLLED)
    return {
        "a-venir": enrolled & Q(session__starts_on__gt=today),
        "suivies": enrolled & Q(session__starts_on__lte=today),
        "demandees": Q(state__in=REQUESTED_STATES),
        "refusees": Q(state__in=REFUSED_STATES),
        "annulees": Q(state=EnrollmentState.CANCELLED),
    }[key]


_BENEFICIARY_ORDER = {
    "a-venir": ("session__starts_on", "pk"),
    "suivies": ("-session__starts_on", "-pk"),
    "demandees": ("-created_at", "-pk"),
    "refusees": ("-state_changed_at", "-pk"),
    "annulees": ("-state_changed_at", "-pk"),
}


def beneficiary_counts(user, *, today: datetime.date) -> dict[str, int]:
    """How many of the person's enrollments fall in each group, in one query."""
    aggregates = {
        group.key.replace("-", "_"): Count("pk", filter=_beneficiary_group_q(group.key, today))
        for group in BENEFICIARY_GROUPS
    }
    counts = Enrollment.objects.filter(beneficiary=user).aggregate(**aggregates)
    return {group.key: counts[group.key.replace("-", "_")] for group in BENEFICIARY_GROUPS}


def beneficiary_enrollments(user, *, group: str, today: datetime.date) -> QuerySet[Enrollment]:
    queryset = _enrollments().filter(_beneficiary_group_q(group, today), beneficiary=user)
    return with_unread(queryset, user).order_by(*_BENEFICIARY_ORDER[group])


# --- Employer -----------------------------------------------------------------------------------------------


def employer_to_decide(employer) -> QuerySet[Enrollment]:
    """The requests waiting for the employer's accord, oldest first."""
    return (
        _enrollments().filter(employer=employer, state=EnrollmentState.PENDING_EMPLOYER).order_by("created_at", "pk")
    )


def _direct_q() -> Q:
    # Filed by someone else than the bénéficiaire: an employer's référent or manager enrolling an employee.
    return Q(requested_by__isnull=False) & ~Q(requested_by=F("beneficiary"))


def employer_counts(employer) -> dict[str, int]:
    """Requests to decide, accords, refusals and direct enrollments: two queries."""
    counts = Enrollment.objects.filter(employer=employer).aggregate(
        to_decide=Count("pk", filter=Q(state=EnrollmentState.PENDING_EMPLOYER)),
        direct=Count("pk", filter=_direct_q()),
    )
    logged = dict(
        TransitionLog.objects.filter(
            object_type=ENROLLMENT_TYPE,
            action__in=EMPLOYER_DECISION_ACTIONS,
            object_id__in=Enrollment.objects.filter(employer=employer).values("public_id"),
        )
        .values_list("action")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {
        "to_decide": counts["to_decide"],
        Decision.APPROVED: logged.get(EMPLOYER_APPROVE, 0),
        Decision.REFUSED: logged.get(EMPLOYER_REFUSE, 0),
        Decision.DIRECT: counts["direct"],
    }


def employer_decisions(
    employer,
    *,
    decision: str = "",
    state: str = "",
    employee: str = "",
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Enrollment]:
    """Every decision the employer took: accords and refusals (from the transition log) and direct
    enrollments, the latest first. Rows carry `decision`, `decided_at` and `decided_by_id`."""
    last_decision = TransitionLog.objects.filter(
        object_type=ENROLLMENT_TYPE, object_id=OuterRef("public_id"), action__in=EMPLOYER_DECISION_ACTIONS
    ).order_by("-occurred_at", "-pk")
    direct = _direct_q()
    queryset = (
        _enrollments()
        .filter(employer=employer)
        .annotate(
            logged_action=Subquery(last_decision.values("action")[:1]),
            logged_at=Subquery(last_decision.values("occurred_at")[:1]),
            logged_by=Subquery(last_decision.values("actor_id")[:1]),
        )
        .filter(direct | Q(logged_action__isnull=False))
        .annotate(
            decision=Case(
                When(direct, then=Value(Decision.DIRECT)),
                When(logged_action=EMPLOYER_APPROVE, then=Value(Decision.APPROVED)),
                default=Value(Decision.REFUSED),
                output_field=CharField(),
            ),
            decided_at=Case(When(direct, then=F("created_at")), default=F("logged_at"), output_field=DateTimeField()),
            decided_by_id=Case(
                When(direct, then=F("requested_by_id")), default=F("logged_by"), output_field=IntegerField()
            ),
        )
    )
    if decision:
        queryset = queryset.filter(decision=decision)
    if state:
        queryset = queryset.filter(state=state)
    if employee:
        queryset = queryset.filter(_person_matches("beneficiary__", employee))
    if action:
        queryset = queryset.filter(session__action__title__icontains=action)
    queryset = _period(queryset, "decided_at", date_from, date_to)
    return queryset.order_by("-decided_at", "-pk")


# --- Provider -----------------------------------------------------------------------------------------------


def provider_counts(provider) -> dict[str, int]:
    return Enrollment.objects.filter(provider=provider).aggregate(
        pending=Count("pk", filter=Q(state=EnrollmentState.PENDING_PROVIDER)),
        waitlisted=Count("pk", filter=Q(state=EnrollmentState.WAITLISTED)),
    )


def provider_to_validate(provider, *, state: str = "") -> QuerySet[Enrollment]:
    """Requests to validate first (oldest first), then the waiting list in its order."""
    states = (state,) if state in PROVIDER_TO_VALIDATE else PROVIDER_TO_VALIDATE
    return (
        _enrollments()
        .filter(provider=provider, state__in=states)
        .annotate(state_rank=_ordered_by_state(PROVIDER_TO_VALIDATE))
        .order_by("state_rank", "session__starts_on", "waitlisted_at", "created_at", "pk")
    )


SESSION_PERIODS = {"a-venir": "En cours et à venir", "passees": "Terminées", "toutes": "Toutes"}


def _with_registrant_counts(queryset: QuerySet[Session]) -> QuerySet[Session]:
    # enrolled_count is the session's own column (kept by the workflow).
    return queryset.select_related("action").annotate(
        waitlisted_count=Count("enrollments", filter=Q(enrollments__state=EnrollmentState.WAITLISTED)),
        pending_count=Count("enrollments", filter=Q(enrollments__state=EnrollmentState.PENDING_PROVIDER)),
    )


def provider_sessions(provider, *, today: datetime.date, period: str = "a-venir", trainer=None) -> QuerySet[Session]:
    """The provider's sessions with their registrant counts; only those `trainer` trains when given."""
    queryset = Session.objects.filter(action__provider=provider)
    if trainer is not None:
        queryset = queryset.filter(trainers=trainer)
    if period == "passees":
        queryset = queryset.filter(ends_on__lt=today).order_by("-starts_on", "-pk")
    elif period == "toutes":
        queryset = queryset.order_by("-starts_on", "-pk")
    else:
        queryset = queryset.filter(ends_on__gte=today).order_by("starts_on", "pk")
    return _with_registrant_counts(queryset)


def session_for_registrants(public_id) -> Session | None:
    """The session with its action, provider and counts; the view checks who may see it."""
    return (
        _with_registrant_counts(Session.objects.filter(public_id=public_id)).select_related("action__provider").first()
    )


def is_trainer_of(user, session: Session) -> bool:
    return session.trainers.filter(pk=user.pk).exists()


def session_registrants(session: Session, *, states=REGISTRANT_STATES, state: str = "") -> QuerySet[Enrollment]:
    """The session's registrants: enrolled, then waiting in their order, then to validate; by name."""
    chosen = (state,) if state in states else tuple(states)
    return (
        Enrollment.objects.filter(session=session, state__in=chosen)
        .select_related("beneficiary", "employer")
        .annotate(state_rank=_ordered_by_state(REGISTRANT_STATES))
        .order_by(
            "state_rank",
            "waitlisted_at",
            Coalesce(NullIf(F("beneficiary__usage_name"), Value("")), F("beneficiary__last_name")),
            "beneficiary__last_name",
            "beneficiary__first_name",
            "pk",
        )
    )


# --- Operator -----------------------------------------------------------------------------------------------


def operator_programmes(operator) -> QuerySet[Programme]:
    return Programme.objects.filter(operator=operator).order_by("name", "pk")


def operator_counts(operator) -> dict[str, int]:
    """The requests of the operator's programmes per state, one query; every state present."""
    rows = dict(
        Enrollment.objects.filter(programme__operator=operator)
        .values_list("state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {state: rows.get(state, 0) for state in EnrollmentState.values}


def operator_requests(
    operator,
    *,
    programme=None,
    state: str = "",
    provider: str = "",
    employer: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Enrollment]:
    """Every request of the operator's programmes, the latest first."""
    queryset = _enrollments().filter(programme__operator=operator)
    if programme is not None:
        queryset = queryset.filter(programme=programme)
    if state:
        queryset = queryset.filter(state=state)
    if provider:
        queryset = queryset.filter(provider__name__icontains=provider)
    if employer:
        queryset = queryset.filter(employer__name__icontains=employer)
    queryset = _period(queryset, "created_at", date_from, date_to)
    return queryset.order_by("-created_at", "-pk")


def has_enrollments(user) -> bool:
    """For the navigation: whether "Mes formations" is worth showing to someone who is no employee (one query)."""
    return Enrollment.objects.filter(beneficiary=user).exists()


def dashboard_links(user) -> list[tuple[str, str]]:
    """The dashboards the person may open, as (label, URL name), from their cached memberships: no query.

    "Mes formations" is listed for employees; someone else with enrollments (a former employee) needs
    has_enrollments(), one query, if the navigation wants to show it to them too.
    """
    memberships = active_memberships(user)
    roles = {(m.role, kind) for m in memberships for kind in m.organisation.kinds}
    links = []
    if (Role.EMPLOYEE, "employer") in roles:
        links.append(("Mes formations", "dashboards:beneficiary"))
        links.append(("Mes questionnaires de satisfaction", "satisfaction:mine"))
    if roles & {(Role.REFERENT, "employer"), (Role.MANAGER, "employer")}:
        links.append(("Formations des salariés", "dashboards:employer"))
        links.append(("Récapitulatif annuel des salariés", "recap:page"))
    if roles & {(Role.REFERENT, "provider"), (Role.MANAGER, "provider"), (Role.TRAINER, "provider")}:
        links.append(("Inscriptions à mes sessions", "dashboards:provider"))
        links.append(("Bilans de l'action", "reports:list"))
    if operator_memberships(user):
        links.append(("Demandes d'inscription des programmes", "dashboards:operator"))
    return links
