"""The catalog's session and programme criteria, on both databases (docs/decisions/0014-french-search.md).

On PostgreSQL they are conditions on the narrow search row (its open sessions' start dates and departments,
its programmes), checked against the sessions themselves where the row cannot tell; each case also runs that
exact check alone, which must find the same actions.
"""

import datetime

import pytest
from django.utils import timezone

from parcours.catalog import selectors
from parcours.catalog.enums import Modality, SessionStatus
from parcours.catalog.selectors import CatalogQuery, catalog_search
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory
from tests.organisations.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _session(action, days: int, department: str = "75", *, deadline: int | None = None, **fields):
    return SessionFactory(
        action=action,
        starts_on=_in(days),
        registration_deadline=_in(days - 1 if deadline is None else deadline),
        department_code=department,
        slots=False,
        **fields,
    )


@pytest.fixture
def catalog():
    """Actions named by what their sessions and programmes make them match."""
    programme, other = ProgrammeFactory(), ProgrammeFactory()
    actions = {
        key: TrainingActionFactory(title=f"Action {key}", programmes=programmes, **fields)
        for key, programmes, fields in [
            ("lyon-soon", [programme], {}),
            ("lyon-then-paris", [programme, other], {}),
            ("closed-lyon", [other], {}),
            ("deadline-passed", [], {}),
            ("edges", [programme], {"modality": Modality.REMOTE}),
            ("none", [], {"department_code": "69"}),
        ]
    }
    _session(actions["lyon-soon"], 10, "69")
    # Lyon at first, Paris later: « Lyon in 100 days » is neither session.
    _session(actions["lyon-then-paris"], 10, "69")
    _session(actions["lyon-then-paris"], 100, "75")
    _session(actions["closed-lyon"], 10, "69", status=SessionStatus.CLOSED)
    _session(actions["closed-lyon"], 12, "69", status=SessionStatus.FULL)
    _session(actions["closed-lyon"], 14, "69", status=SessionStatus.CANCELLED)
    _session(actions["closed-lyon"], 200, "13")
    # Starts in three days, but registrations closed yesterday.
    _session(actions["deadline-passed"], 3, "69", deadline=-1)
    _session(actions["edges"], 40, "2A")
    _session(actions["edges"], 70, "971")
    return {"programme": programme, "other": other, "actions": actions}


CASES = [
    ({"department": "69"}, {"lyon-soon", "lyon-then-paris"}),
    ({"department": "75"}, {"lyon-then-paris"}),
    ({"department": "13"}, {"closed-lyon"}),
    ({"department": "2A"}, {"edges"}),
    ({"department": "33"}, set()),
    ({"starts_from": 0, "starts_until": 5}, set()),
    ({"starts_from": 5, "starts_until": 15}, {"lyon-soon", "lyon-then-paris"}),
    # Both ends are included.
    ({"starts_from": 40, "starts_until": 70}, {"edges"}),
    ({"starts_from": 41, "starts_until": 69}, set()),
    ({"starts_from": 150}, {"closed-lyon"}),
    ({"starts_until": 10}, {"lyon-soon", "lyon-then-paris"}),
    # One session in both the department and the dates.
    ({"department": "69", "starts_from": 90, "starts_until": 120}, set()),
    ({"department": "75", "starts_from": 90, "starts_until": 120}, {"lyon-then-paris"}),
    ({"department": "69", "starts_from": 1, "starts_until": 30}, {"lyon-soon", "lyon-then-paris"}),
    ({"department": "971", "starts_until": 70}, {"edges"}),
    ({"department": "971", "starts_until": 69}, set()),
    ({"programme": "programme"}, {"lyon-soon", "lyon-then-paris", "edges"}),
    ({"programme": "other"}, {"lyon-then-paris", "closed-lyon"}),
    ({"programme": "programme", "department": "69"}, {"lyon-soon", "lyon-then-paris"}),
    ({"programme": "programme", "modality": Modality.REMOTE, "starts_from": 30}, {"edges"}),
    ({"programme": "other", "starts_from": 50, "text": "action"}, {"lyon-then-paris", "closed-lyon"}),
    ({"department": "69", "text": "action"}, {"lyon-soon", "lyon-then-paris"}),
]


def _query(catalog, criteria: dict) -> CatalogQuery:
    fields = {}
    for name, value in criteria.items():
        if name == "programme":
            value = catalog[value]
        elif name.startswith("starts_"):
            value = _in(value)
        fields[name] = value
    return CatalogQuery(**fields)


def _found(query: CatalogQuery, **kwargs) -> set[str]:
    return {action.title.removeprefix("Action ") for action in catalog_search(query, **kwargs).actions}


@pytest.mark.parametrize(("criteria", "expected"), CASES, ids=[str(criteria) for criteria, _ in CASES])
def test_session_and_programme_criteria(catalog, criteria, expected, monkeypatch):
    query = _query(catalog, criteria)

    assert _found(query) == expected
    # The sessions themselves, without the narrow rows' columns (the path of a day before the database's).
    monkeypatch.setattr(selectors, "_rows_answer_sessions", lambda today: False)
    assert _found(query) == expected


def test_a_past_day_is_answered_from_the_sessions(catalog):
    # Five days ago, registrations to « deadline-passed » were open; its search row no longer holds that session.
    query = CatalogQuery(department="69", starts_until=_in(5))

    assert _found(query) == set()
    assert _found(query, today=_in(-5)) == {"deadline-passed"}


def test_the_criteria_run_a_bounded_number_of_queries(catalog, django_assert_max_num_queries):
    provider = ProviderFactory(name="Forges Formation")
    for number in range(30):
        action = TrainingActionFactory(title=f"Soudure {number}", provider=provider, programmes=[catalog["programme"]])
        _session(action, 10 + number, "69")
    query = CatalogQuery(
        text="soudure",
        programme=catalog["programme"],
        department="69",
        starts_from=_in(1),
        starts_until=_in(60),
        provider="forges",
    )

    # The provider's ids, the matches, the page's actions, their next sessions.
    with django_assert_max_num_queries(4):
        page = catalog_search(query, page=2)

    assert page.count == 30
    # As relevant as each other: soonest session first.
    assert [action.title for action in page.actions] == [f"Soudure {number}" for number in range(20, 30)]
    assert all(action.next_session.department_code == "69" for action in page.actions)
