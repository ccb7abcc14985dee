"""Public reads of the catalog: what anyone may find and open at /formations/.

Visible: a published action of an active provider organisation (a pending provider's actions stay hidden
until an operator validates it; an archived or unpublished action is not found). An action without an open
session is still listed, marked as such.
"""

import datetime
import math
from dataclasses import dataclass, field
from itertools import groupby

from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateRange
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from parcours.catalog.enums import ActionStatus, SessionStatus
from parcours.catalog.models import ActionSearch, Programme, Session, TrainingAction
from parcours.catalog.search import search_backend, searchable
from parcours.organisations.models import Organisation, OrganisationStatus

PAGE_SIZE = 20
# Counting every match of a common word costs more than it helps: past this, "plus de 1 000 formations".
MAX_RESULTS = 1000
# An action page lists this many open sessions at most.
MAX_SESSIONS = 50
# Actions without an open session come last (PostgreSQL's default for ascending order, not SQLite's).
NEXT_SESSION_FIRST = F("next_session_on").asc(nulls_last=True)
# The narrow rows' session columns are written for the database's UTC day: a search for a day before it (a
# past `today`, or clocks this far apart) checks the sessions themselves.
CLOCK_MARGIN = datetime.timedelta(minutes=10)
# What the page's query need not read from the narrow rows.
_UNREAD = ("search_vector", "programme_ids", "session_starts", "session_departments", "sessions_until")


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


def _searched() -> QuerySet:
    """What the search reads: on PostgreSQL the narrow table of visible actions (models.ActionSearch, kept by
    triggers), elsewhere the visible actions themselves. Both have the fields the filters and sorts name."""
    if connection.vendor == "postgresql":
        return ActionSearch.objects.all()
    return public_actions()


def _provider_ids(text: str) -> list[int]:
    """The organisations whose name holds every word (or whose SIRET starts with the digits), resolved first:
    as a subquery, PostgreSQL cannot estimate `name ILIKE '%word%'` (it guesses 1 row for hundreds) and picks
    a nested loop that runs the text search once per organisation."""
    words = text.split()
    if len(words) == 1 and words[0].isdigit():
        providers = Organisation.objects.filter(siret__startswith=words[0])
    else:
        providers = Organisation.objects.all()
        for word in words:
            providers = providers.filter(name__icontains=word)
    return list(providers.values_list("pk", flat=True))


def _rows_answer_sessions(today: datetime.date) -> bool:
    """Whether the narrow rows' session columns may answer for `today`: they hold the sessions open to
    registration from the UTC day they were written on, which is never after now's UTC day; so for any later
    day they hold at least the right sessions (exactly those until the row's `sessions_until`)."""
    return today >= (timezone.now() + CLOCK_MARGIN).date()


def _sessions_on_rows(actions: QuerySet, query: CatalogQuery, sessions: QuerySet, today: datetime.date) -> QuerySet:
    """The session criteria as conditions on the narrow row (its open sessions' start dates and departments),
    checked against the sessions themselves only where the row cannot tell: a registration deadline of its
    sessions has passed since it was written (`sessions_until`), or the department and the dates must be those
    of one session (the row may have them from two)."""
    on_row = Q()
    if query.department:
        on_row &= Q(session_departments__contains=[query.department])
    if query.starts_from or query.starts_until:
        on_row &= Q(session_starts__overlap=DateRange(query.starts_from, query.starts_until, "[]"))
    if query.department and (query.starts_from or query.starts_until):
        # Uncorrelated: PostgreSQL hashes the department's sessions in the window once.
        return actions.filter(on_row, pk__in=sessions.values("action_id"))
    has_session = _HasOpenSession(
        F("pk"), Value(today), Value(query.department or None), Value(query.starts_from), Value(query.starts_until)
    )
    return actions.filter(on_row, Q(sessions_until__gte=today) | Q(has_session))


class _AnyOf(Func):
    """`column = ANY(array)`: a list as one array parameter."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()


class _HasOpenSession(Func):
    """Whether the action has a session open to registration on the day, in the department, starting between the
    dates (each criterion null when absent): `_open_sessions()` in SQL (catalog migration 0006)."""

    function = "catalog_action_search_has_session"
    output_field = BooleanField()


def _filtered(query: CatalogQuery, today: datetime.date, provider_ids: list[int] | None = None) -> QuerySet:
    actions = _searched()
    narrow = actions.model is ActionSearch
    if query.programme is not None and narrow:
        actions = actions.filter(programme_ids__contains=[query.programme.pk])
    elif query.programme is not None:
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
    if query.provider and narrow:
        # One array parameter, not hundreds: Django and the driver spent milliseconds writing them out.
        actions = actions.filter(_AnyOf(F("provider_id"), Value(provider_ids)))
    elif query.provider:
        actions = actions.filter(provider_id__in=provider_ids)
    if query.starts_from or query.starts_until or query.department:
        sessions = _open_sessions(today)
        if query.department:
            sessions = sessions.filter(department_code=query.department)
        if query.starts_from:
            sessions = sessions.filter(starts_on__gte=query.starts_from)
        if query.starts_until:
            sessions = sessions.filter(starts_on__lte=query.starts_until)
        if narrow and _rows_answer_sessions(today):
            return _sessions_on_rows(actions, query, sessions, today)
        # Elsewhere, one uncorrelated subquery: PostgreSQL runs it once, on a partial index.
        if query.department and searchable(query.text):
            # DISTINCT keeps PostgreSQL from flattening the subquery: it hashes the department's few thousand
            # sessions once rather than looking up every text match's sessions (which it estimates at a
            # handful when correlated words match thousands: 26 ms, 14 ms hashed). Not without words: the page
            # of a department alone is a walk of the next-session index.
            sessions = sessions.distinct()
        actions = actions.filter(pk__in=sessions.values("action_id"))
    return actions


def catalog_search(query: CatalogQuery, *, page: int = 1, today: datetime.date | None = None) -> CatalogPage:
    """One page of the public catalog, in three queries (the matches, the page's actions, their next sessions)
    and one more with a provider criterion (the matching organisations, resolved first)."""
    today = today or timezone.localdate()
    provider_ids = _provider_ids(query.provider) if query.provider else None
    actions = _filtered(query, today, provider_ids)
    searched_text = searchable(query.text)
    backend = search_backend()
    if searched_text:
        actions = backend.matching(actions, query.text)
    sort = query.sort or (Sort.RELEVANCE if searched_text else Sort.NEXT_SESSION)
    if sort == Sort.RELEVANCE and not searched_text:
        sort = Sort.NEXT_SESSION
    if sort == Sort.RELEVANCE:
        ordering = ("-rank", NEXT_SESSION_FIRST, "pk")
    elif sort == Sort.TITLE:
        ordering = ("title", "pk")
    else:
        ordering = (NEXT_SESSION_FIRST, "pk")

    def ordered(rows: QuerySet) -> QuerySet:
        # Ranks rows already matched: filtering them again would make PostgreSQL's estimate of the rows far
        # too low (it multiplies the selectivity of the same condition) and its plan a nested loop.
        return (backend.with_rank(rows, query.text) if sort == Sort.RELEVANCE else rows).order_by(*ordering)

    # Any MAX_RESULTS + 1 matches, then sorted: their number, and when they are all the matches (the common
    # case), the whole order, so the page is a slice of it. Sorting by title in SQL keeps the database's
    # collation; by next session, Python sorts them (looked up again by id, PostgreSQL hashed the 85,500
    # rows of an index to join them back: 25 ms for a department alone, 12 ms read directly).
    if sort == Sort.NEXT_SESSION:
        first_rows = actions.values_list("pk", "next_session_on")[: MAX_RESULTS + 1]
        ids = [pk for pk, _ in sorted(first_rows, key=lambda row: (row[1] is None, row[1] or today, row[0]))]
    else:
        first_matches = actions.model.objects.filter(pk__in=actions.values("pk")[: MAX_RESULTS + 1])
        ids = list(ordered(first_matches).values_list("pk", flat=True))
    capped = len(ids) > MAX_RESULTS
    count = min(len(ids), MAX_RESULTS)
    num_pages = max(1, math.ceil(count / PAGE_SIZE))
    number = min(max(1, page), num_pages)
    start = (number - 1) * PAGE_SIZE
    if capped:
        # More matches than that: the page is sorted out of all of them (index order when the sort allows).
        if sort == Sort.TITLE and searched_text and actions.model is ActionSearch:
            page_ids = _sorted_matches(actions, ("title", "pk"), start)
        else:
            page_ids = ordered(actions)[start : start + PAGE_SIZE]
        page_actions = _page_actions(page_ids, ordered)
    else:
        page_actions = _actions_in_order(ids[start : start + PAGE_SIZE])
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


def _actions_in_order(ids: list[int]) -> list[TrainingAction]:
    found = TrainingAction.objects.filter(pk__in=ids).select_related("provider")
    by_id = {action.pk: action for action in found.defer("search_text", "search_document")}
    return [by_id[pk] for pk in ids if pk in by_id]


def _sorted_matches(actions: QuerySet, ordering: tuple[str, ...], start: int) -> RawSQL:
    """The page's ids out of all the matches, taken first from the text index (a MATERIALIZED CTE) and then
    sorted: left to itself, PostgreSQL walks the `(title, id)` index filtering by the words, and words found
    in titles cluster there (« raccordement »: 57,000 rows read for 20, 60–140 ms)."""
    sql, params = actions.values("pk", *(name for name in ordering if name != "pk")).query.sql_with_params()
    order = ", ".join(f'"{name}"' for name in ordering)
    return RawSQL(  # noqa: S611 (the query's own SQL and parameters)
        f"WITH matches AS MATERIALIZED ({sql}) SELECT pk FROM matches ORDER BY {order} LIMIT %s OFFSET %s",  # noqa: S608
        (*params, PAGE_SIZE, start),
    )


def _page_actions(rows: QuerySet | RawSQL, ordered) -> list[TrainingAction]:
    """The sorted page of a large result (its rows, or the SQL of its ids), with the actions and their
    provider, in one query."""
    if isinstance(rows, QuerySet):
        if rows.model is not ActionSearch:
            return list(rows.select_related("provider").defer("search_text", "search_document"))
        rows = rows.values("pk")
    # The 20 ids come from the narrow table alone (a top-N sort, or an index walk), and only then join the
    # actions: joined before the limit, PostgreSQL would sort every match with its wide row attached.
    page = ordered(ActionSearch.objects.filter(pk__in=rows))
    page = page.select_related("action__provider").defer(*_UNREAD, "action__search_text", "action__search_document")
    return [row.action for row in page]


def _next_sessions_attach(actions: list[TrainingAction], today: datetime.date) -> None:
    """Sets `next_session` (the earliest session one may still ask for, or None) on each action."""
    sessions = (
        _open_sessions(today)
        .filter(action__in=[action.pk for action in actions])
        .order_by("action_id", "starts_on", "id")
        .only("action_id", "starts_on", "ends_on", "place", "department_code", "registration_deadline")
    )
    if connection.vendor == "postgresql":
        sessions = sessions.distinct("action_id")  # the first of each action only, not all their sessions
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
    """The sessions one may still ask for, soonest first, with their half-days: the open ones and the full ones
    (shown « Complet »: a request there goes to the waiting list)."""
    today = today or timezone.localdate()
    sessions = Session.objects.filter(
        action=action, status__in=(SessionStatus.OPEN, SessionStatus.FULL), registration_deadline__gte=today
    ).order_by("starts_on", "id")
    return list(sessions.prefetch_related("slots")[:MAX_SESSIONS])
