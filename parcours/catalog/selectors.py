"""Public reads of the catalog: what anyone may find and open at /formations/.

Visible: a published action of an active provider organisation (a pending provider's actions stay hidden
until an operator validates it; an archived or unpublished action is not found). An action without an open
session is still listed, marked as such.
"""

import datetime
import math
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import F, QuerySet
from django.utils import timezone

from parcours.catalog.enums import ActionStatus, SessionStatus
from parcours.catalog.models import Programme, Session, TrainingAction
from parcours.catalog.search import search_backend, searchable
from parcours.organisations.models import Organisation, OrganisationStatus

PAGE_SIZE = 20
# Counting every match of a common word costs more than it helps: past this, "plus de 1 000 formations".
MAX_RESULTS = 1000
# An action page lists this many open sessions at most.
MAX_SESSIONS = 50
# Actions without an open session come last (PostgreSQL's default for ascending order, not SQLite's).
NEXT_SESSION_FIRST = F("next_session_on").asc(nulls_last=True)


class Sort:
    RELEVANCE = "pertinence"
    NEXT_SESSION = "prochaine-session"
    TITLE = "intitule"
    CHOICES = [(RELEVANCE, "Pertinence"), (NEXT_SESSION, "Prochaine session"), (TITLE, "Intitulé")]


class Certification:
    ANY = "certifiante"
    RNCP = "RNCP"
    RS = "RS"
    CHOICES = [
        ("", "Toutes"),
        (ANY, "Certifiantes (RNCP ou RS)"),
        (RNCP, "Inscrites au RNCP"),
        (RS, "Inscrites au répertoire spécifique"),
    ]


@dataclass(frozen=True)
class CatalogQuery:
    text: str = ""
    programme: Programme | None = None
    department: str = ""
    starts_from: datetime.date | None = None
    starts_until: datetime.date | None = None
    modality: str = ""
    certification: str = ""
    certification_code: str = ""
    provider: str = ""
    sort: str = ""


@dataclass
class CatalogPage:
    actions: list[TrainingAction]
    count: int
    number: int
    num_pages: int
    sort: str
    # More matches than MAX_RESULTS: `count` is the cap.
    capped: bool = False
    searched_text: bool = False
    page_range: list[int] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1


def _open_sessions(today: datetime.date) -> QuerySet:
    """Sessions one may still ask for."""
    return Session.objects.filter(status=SessionStatus.OPEN, registration_deadline__gte=today)


def public_actions() -> QuerySet:
    return TrainingAction.objects.filter(
        status=ActionStatus.PUBLISHED, provider__status=OrganisationStatus.ACTIVE, provider__is_provider=True
    )


def active_programmes() -> list[Programme]:
    """The programmes the search can filter on."""
    return list(Programme.objects.filter(is_active=True).order_by("name"))


def _filtered(query: CatalogQuery, today: datetime.date) -> QuerySet:
    actions = public_actions()
    if query.programme is not None:
        offers = TrainingAction.programmes.through.objects.filter(programme=query.programme)
        actions = actions.filter(pk__in=offers.values("trainingaction_id"))
    if query.modality:
        actions = actions.filter(modality=query.modality)
    if query.certification == Certification.ANY:
        actions = actions.exclude(certification_code="")
    elif query.certification:
        actions = actions.filter(certification_registry=query.certification).exclude(certification_code="")
    if query.certification_code:
        actions = actions.filter(certification_code__iexact=query.certification_code)
    if query.provider:
        words = query.provider.split()
        if len(words) == 1 and words[0].isdigit():
            providers = Organisation.objects.filter(siret__startswith=words[0])
        else:
            providers = Organisation.objects.all()
            for word in words:
                providers = providers.filter(name__icontains=word)
        actions = actions.filter(provider__in=providers.values("pk"))
    # The session criteria make one uncorrelated subquery: PostgreSQL runs it once, on a partial index.
    if query.starts_from or query.starts_until or query.department:
        sessions = _open_sessions(today)
        if query.department:
            sessions = sessions.filter(department_code=query.department)
        if query.starts_from:
            sessions = sessions.filter(starts_on__gte=query.starts_from)
        if query.starts_until:
            sessions = sessions.filter(starts_on__lte=query.starts_until)
        actions = actions.filter(pk__in=sessions.values("action_id"))
    return actions


def catalog_search(query: CatalogQuery, *, page: int = 1, today: datetime.date | None = None) -> CatalogPage:
    """One page of the public catalog, in three queries: the bounded count, the page, its next sessions."""
    today = today or timezone.localdate()
    actions = _filtered(query, today)
    searched_text = searchable(query.text)
    backend = search_backend()
    if searched_text:
        actions = backend.matching(actions, query.text)
    sort = query.sort or (Sort.RELEVANCE if searched_text else Sort.NEXT_SESSION)
    if sort == Sort.RELEVANCE and not searched_text:
        sort = Sort.NEXT_SESSION

    count = actions[: MAX_RESULTS + 1].count()
    capped = count > MAX_RESULTS
    count = min(count, MAX_RESULTS)
    num_pages = max(1, math.ceil(count / PAGE_SIZE))
    number = min(max(1, page), num_pages)

    if sort == Sort.RELEVANCE:
        ordered = backend.ranked(_filtered(query, today), query.text).order_by("-rank", NEXT_SESSION_FIRST, "id")
    elif sort == Sort.TITLE:
        ordered = actions.order_by("title", "id")
    else:
        ordered = actions.order_by(NEXT_SESSION_FIRST, "id")
    start = (number - 1) * PAGE_SIZE
    page_actions = list(
        ordered.select_related("provider").defer("search_text", "search_document")[start : start + PAGE_SIZE]
    )
    _next_sessions_attach(page_actions, today)
    first, last = max(1, number - 2), min(num_pages, number + 2)
    return CatalogPage(
        actions=page_actions,
        count=count,
        number=number,
        num_pages=num_pages,
        sort=sort,
        capped=capped,
        searched_text=searched_text,
        page_range=list(range(first, last + 1)),
    )


def _next_sessions_attach(actions: list[TrainingAction], today: datetime.date) -> None:
    """Sets `next_session` (the earliest session one may still ask for, or None) on each action."""
    sessions = (
        _open_sessions(today)
        .filter(action__in=[action.pk for action in actions])
        .order_by("action_id", "starts_on", "id")
        .only("action_id", "starts_on", "ends_on", "place", "department_code", "registration_deadline")
    )
    first = {action_id: next(group) for action_id, group in groupby(sessions, key=lambda s: s.action_id)}
    for action in actions:
        action.next_session = first.get(action.pk)


def public_action(public_id) -> TrainingAction | None:
    return (
        public_actions()
        .select_related("provider")
        .defer("search_text", "search_document")
        .filter(public_id=public_id)
        .first()
    )


def action_public_programmes(action: TrainingAction) -> list[Programme]:
    return list(action.programmes.filter(is_active=True).order_by("name"))


def action_open_sessions(action: TrainingAction, *, today: datetime.date | None = None) -> list[Session]:
    """The sessions one may still ask for, soonest first, with their half-days."""
    today = today or timezone.localdate()
    sessions = _open_sessions(today).filter(action=action).order_by("starts_on", "id")
    return list(sessions.prefetch_related("slots")[:MAX_SESSIONS])
