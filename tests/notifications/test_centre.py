from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from parcours.notifications.inapp import notification_mark_read, notifications_mark_all_read
from parcours.notifications.models import Notification
from parcours.notifications.selectors import notifications_unread_count
from parcours.web.context_processors import site
from tests.accounts.factories import UserFactory
from tests.web.html import Page, assert_well_formed

pytestmark = pytest.mark.django_db

LIST_URL = reverse("notification_centre:list")


def _notification(user, *, minutes_ago: int = 0, read: bool = False, **fields) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        user=user,
        category=fields.pop("category", "essai"),
        title=fields.pop("title", "Une notification"),
        created_at=now - timedelta(minutes=minutes_ago),
        read_at=now if read else None,
        **fields,
    )


@pytest.fixture
def person():
    return UserFactory(first_name="Camille", last_name="Martin")


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


def _titles(page: Page) -> list[str]:
    return [title.all_text() for title in page.find_all("h2", class_="fr-card__title")]


def test_the_centre_needs_a_login(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_centre_lists_my_notifications_newest_first_with_the_unread_marked(logged_in, person):
    _notification(person, title="Demande acceptée", minutes_ago=10, read=True)
    _notification(person, title="Nouvelle demande", minutes_ago=1, body="Camille demande une place.")
    _notification(UserFactory(), title="Celle d’un autre")

    page = assert_well_formed(logged_in.get(LIST_URL).content)

    assert _titles(page) == ["Nouvelle demande", "Demande acceptée"]
    cards = page.find_all("div", class_="fr-card")
    assert "Non lue" in cards[0].all_text()
    assert "Camille demande une place." in cards[0].all_text()
    assert "Non lue" not in cards[1].all_text()
    assert "Vous avez 1 notification non lue." in page.find("main").all_text()


def test_an_empty_centre_says_so(logged_in):
    page = Page(logged_in.get(LIST_URL).content)

    assert "Vous n’avez encore reçu aucune notification." in page.find("main").all_text()
    assert not page.find("form", action=reverse("notification_centre:read_all"))
    assert page.find("a", href=reverse("notification_centre:preferences"))


def test_the_centre_is_paginated_by_twenty_with_bounded_queries(logged_in, person, django_assert_max_num_queries):
    for minutes in range(25):
        _notification(person, title=f"Notification {minutes}", minutes_ago=minutes)

    # Session, user, memberships (navigation), header count, page count, the page's rows.
    with django_assert_max_num_queries(6):
        first = logged_in.get(LIST_URL)
    second = logged_in.get(LIST_URL, {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert _titles(Page(second.content)) == [f"Notification {minutes}" for minutes in range(20, 25)]


def test_opening_a_notification_marks_it_read_and_follows_its_link(logged_in, person):
    notification = _notification(person, url="/formations/")

    response = logged_in.post(reverse("notification_centre:open", args=[notification.public_id]))

    assert response.status_code == 302
    assert response["Location"] == "/formations/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_it_again_keeps_the_first_reading_time(logged_in, person):
    notification = _notification(person, read=True)
    first_read = notification.read_at

    logged_in.post(reverse("notification_centre:open", args=[notification.public_id]))

    notification.refresh_from_db()
    assert notification.read_at == first_read


@pytest.mark.parametrize("url", ["https://ailleurs.example.com/piege", "//ailleurs.example.com/", ""])
def test_a_link_off_the_site_or_no_link_brings_back_to_the_centre(logged_in, person, url):
    notification = _notification(person, url=url)

    response = logged_in.post(reverse("notification_centre:open", args=[notification.public_id]))

    assert response["Location"] == LIST_URL
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_else_s_notification_is_not_found(logged_in):
    notification = _notification(UserFactory(), url="/formations/")

    response = logged_in.post(reverse("notification_centre:open", args=[notification.public_id]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_needs_a_post(logged_in, person):
    notification = _notification(person, url="/formations/")

    response = logged_in.get(reverse("notification_centre:open", args=[notification.public_id]))

    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_mine_only(logged_in, person):
    mine = [_notification(person), _notification(person, minutes_ago=1)]
    theirs = _notification(UserFactory())

    response = logged_in.post(reverse("notification_centre:read_all"), follow=True)

    page = Page(response.content)
    assert "Toutes vos notifications sont marquées comme lues." in page.find("div", class_="fr-alert").all_text()
    assert "Vous n’avez aucune notification non lue." in page.find("main").all_text()
    assert Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_needs_a_post(logged_in, person):
    _notification(person)

    assert logged_in.get(reverse("notification_centre:read_all")).status_code == 405
    assert notifications_unread_count(user=person) == 1


def test_the_services_count_and_mark_read(person):
    first, second = _notification(person), _notification(person)
    _notification(person, read=True)

    assert notifications_unread_count(user=person) == 2
    assert notification_mark_read(notification=first) is True
    assert notification_mark_read(notification=first) is False
    assert notifications_unread_count(user=person) == 1
    assert notifications_mark_all_read(user=person) == 1
    second.refresh_from_db()
    assert second.read_at is not None


# The header badge


def _header_link(page: Page):
    return page.find("a", href=LIST_URL)


def test_the_header_shows_the_unread_count_with_an_accessible_label(logged_in, person):
    for _ in range(3):
        _notification(person)
    _notification(person, read=True)

    page = assert_well_formed(logged_in.get("/").content)

    link = _header_link(page)
    assert link.all_text() == "Notifications (3) , 3 notifications non lues"
    hidden = [child for child in link.children if child.attrs.get("aria-hidden") == "true"]
    assert [child.all_text() for child in hidden] == ["(3)"]
    spoken = [child for child in link.children if "fr-sr-only" in child.classes]
    assert [child.all_text() for child in spoken] == [", 3 notifications non lues"]


def test_one_unread_notification_is_singular(logged_in, person):
    _notification(person)

    link = _header_link(Page(logged_in.get("/").content))

    assert link.all_text() == "Notifications (1) , 1 notification non lue"


def test_no_count_when_everything_is_read(logged_in, person):
    _notification(person, read=True)

    link = _header_link(Page(logged_in.get("/").content))

    assert link.all_text() == "Notifications"


def test_anonymous_visitors_have_no_notifications_link(client):
    assert _header_link(Page(client.get("/").content)) is None


def test_the_count_is_lazy_and_read_once_per_request(person, django_assert_num_queries):
    _notification(person)
    request = RequestFactory().get("/")
    request.user = person

    with django_assert_num_queries(0):
        context = site(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"]() == 1
        assert context["unread_notifications"]() == 1
