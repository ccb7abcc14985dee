"""PostgreSQL: the narrow search table follows every write (catalog migrations 0004 and 0006).

`catalog_action_search` holds a row per visible action with its programmes and the start dates, departments
and earliest registration deadline of its open sessions; triggers write it, nothing else does. Each test
writes one way and reads the row back.
"""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from parcours.catalog.enums import ActionStatus, SessionStatus
from parcours.catalog.models import ActionSearch, Session, TrainingAction
from parcours.catalog.search import next_sessions_refresh
from parcours.catalog.selectors import CatalogQuery, catalog_search
from parcours.organisations.models import OrganisationStatus
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the narrow search table is PostgreSQL's"),
]


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _session(action, days: int, department: str = "75", **fields) -> Session:
    fields.setdefault("registration_deadline", _in(days - 7))
    return SessionFactory(action=action, starts_on=_in(days), department_code=department, slots=False, **fields)


def _row(action) -> dict | None:
    """The action's search row, its session start dates as a set."""
    row = (
        ActionSearch.objects.filter(pk=action.pk)
        .values("title", "next_session_on", "programme_ids", "session_starts", "session_departments", "sessions_until")
        .first()
    )
    if row is not None:
        row["session_starts"] = {
            range_.lower + datetime.timedelta(days=day)
            for range_ in row["session_starts"]
            for day in range((range_.upper - range_.lower).days)
        }
        row["session_departments"] = set(row["session_departments"])
    return row


def _sessions(action) -> tuple[set, set, datetime.date | None]:
    row = _row(action)
    return row["session_starts"], row["session_departments"], row["sessions_until"]


def _version(action) -> int:
    """The row version's transaction id: it changes when the row is written again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM catalog_action_search WHERE id = %s", [action.pk])
        return int(cursor.fetchone()[0])


def test_the_row_follows_the_sessions():
    action = TrainingActionFactory(programmes=[])
    assert _sessions(action) == (set(), set(), None)

    first = _session(action, 30, "69")
    assert _sessions(action) == ({_in(30)}, {"69"}, _in(23))
    second = _session(action, 60, "75", registration_deadline=_in(50))
    assert _sessions(action) == ({_in(30), _in(60)}, {"69", "75"}, _in(23))
    assert _row(action)["next_session_on"] == _in(30)

    first.department_code = "13"
    first.save()
    assert _sessions(action) == ({_in(30), _in(60)}, {"13", "75"}, _in(23))
    first.starts_on, first.ends_on = _in(40), _in(41)
    first.save()
    assert _sessions(action) == ({_in(40), _in(60)}, {"13", "75"}, _in(23))
    first.registration_deadline = _in(35)
    first.save()
    assert _sessions(action) == ({_in(40), _in(60)}, {"13", "75"}, _in(35))

    for status in (SessionStatus.FULL, SessionStatus.CLOSED, SessionStatus.CANCELLED):
        Session.objects.filter(pk=first.pk).update(status=status)
        assert _sessions(action) == ({_in(60)}, {"75"}, _in(50))
    Session.objects.filter(pk=first.pk).update(status=SessionStatus.OPEN)
    assert _sessions(action) == ({_in(40), _in(60)}, {"13", "75"}, _in(35))

    # Registrations closed yesterday: not a session one may ask for.
    Session.objects.filter(pk=second.pk).update(registration_deadline=_in(-1))
    assert _sessions(action) == ({_in(40)}, {"13"}, _in(35))

    other = TrainingActionFactory(programmes=[])
    first.action = other
    first.save()
    assert _sessions(action) == (set(), set(), None)
    assert _sessions(other) == ({_in(40)}, {"13"}, _in(35))
    assert _row(other)["next_session_on"] == _in(40)

    first.delete()
    assert _sessions(other) == (set(), set(), None)
    assert _row(other)["next_session_on"] is None


def test_a_session_change_the_row_does_not_hold_leaves_it_alone():
    session = _session(TrainingActionFactory(programmes=[]), 30, "69")
    version = _version(session.action)

    # Enrollments rewrite the count often; places, trainers and reasons are not searched either.
    session.enrolled_count, session.capacity, session.place = 3, 12, "Lyon"
    session.save()

    assert _version(session.action) == version


def test_the_row_follows_the_programmes():
    first, second, third = ProgrammeFactory(), ProgrammeFactory(), ProgrammeFactory()
    action = TrainingActionFactory(programmes=[])
    assert _row(action)["programme_ids"] == []

    action.programmes.add(second, first)
    assert _row(action)["programme_ids"] == sorted([first.pk, second.pk])
    action.programmes.remove(first)
    assert _row(action)["programme_ids"] == [second.pk]
    third.actions.add(action)
    assert _row(action)["programme_ids"] == sorted([second.pk, third.pk])
    action.programmes.set([first])
    assert _row(action)["programme_ids"] == [first.pk]
    action.programmes.clear()
    assert _row(action)["programme_ids"] == []

    action.programmes.add(first, second)
    second.delete()
    assert _row(action)["programme_ids"] == [first.pk]


def test_the_row_follows_the_action_and_its_provider():
    programme = ProgrammeFactory()
    action = TrainingActionFactory(programmes=[programme], status=ActionStatus.DRAFT, published_at=None)
    _session(action, 30, "69")
    assert _row(action) is None

    action.status = ActionStatus.PUBLISHED
    action.save()
    assert _row(action)["programme_ids"] == [programme.pk]
    assert _sessions(action) == ({_in(30)}, {"69"}, _in(23))

    action.title = "Soudure à l'arc"
    action.save()
    assert _row(action)["title"] == "Soudure à l'arc"

    provider = action.provider
    provider.status = OrganisationStatus.CLOSED
    provider.save()
    assert _row(action) is None
    provider.status = OrganisationStatus.ACTIVE
    provider.save()
    assert _row(action)["programme_ids"] == [programme.pk]
    assert _sessions(action) == ({_in(30)}, {"69"}, _in(23))

    TrainingAction.objects.filter(pk=action.pk).update(status=ActionStatus.ARCHIVED)
    assert _row(action) is None


def test_the_row_follows_a_truncate():
    action = TrainingActionFactory(programmes=[ProgrammeFactory()])
    _session(action, 30, "69")

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check may wait on the tables
        cursor.execute("TRUNCATE catalog_trainingaction_programmes")
        assert _row(action)["programme_ids"] == []
        cursor.execute("TRUNCATE catalog_session CASCADE")
        assert _sessions(action) == (set(), set(), None)
        cursor.execute("TRUNCATE catalog_trainingaction CASCADE")
    assert not ActionSearch.objects.exists()


def test_a_row_whose_deadline_passed_is_checked_again_then_refreshed():
    action = TrainingActionFactory(programmes=[])
    soon = _session(action, 10, "69")
    _session(action, 40, "69", registration_deadline=_in(33))
    # Time passes, as the triggers do not see it: the first session's registrations closed two days ago, and
    # its row was written before (with that deadline as its last exact day).
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no foreign key check may wait on the table
        cursor.execute("ALTER TABLE catalog_session DISABLE TRIGGER USER")
        Session.objects.filter(pk=soon.pk).update(registration_deadline=_in(-2))
        cursor.execute("ALTER TABLE catalog_session ENABLE TRIGGER USER")
    ActionSearch.objects.filter(pk=action.pk).update(sessions_until=_in(-2))
    assert _sessions(action) == ({_in(10), _in(40)}, {"69"}, _in(-2))

    def found(**criteria) -> bool:
        return action in catalog_search(CatalogQuery(**criteria)).actions

    assert not found(starts_from=_in(5), starts_until=_in(15))
    assert found(starts_from=_in(5))
    assert found(department="69")
    assert not found(department="69", starts_until=_in(15))

    next_sessions_refresh()

    assert _sessions(action) == ({_in(40)}, {"69"}, _in(33))
    assert not found(starts_from=_in(5), starts_until=_in(15))
    assert found(department="69", starts_from=_in(5))
