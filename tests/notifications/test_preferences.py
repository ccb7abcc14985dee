import pytest
from django.urls import reverse

from parcours.notifications import inapp, views_centre
from parcours.notifications.inapp import email_preferences_set, email_wanted, notify
from parcours.notifications.models import EmailPreference, Notification, OutgoingEmail
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import last_email_to
from tests.web.html import Page, assert_well_formed

pytestmark = pytest.mark.django_db

PREFERENCES_URL = reverse("notification_centre:preferences")


@pytest.fixture(autouse=True)
def categories(monkeypatch):
    """Test categories beside the apps' own; only these are removed afterwards (an app module imported
    during the test registers into the same registry and stays registered)."""
    for key, label, mutable in (
        ("essai.messages", "Nouveaux messages", True),
        ("essai.rappels", "Rappels de session", True),
        ("essai.decisions", "Décisions sur mes demandes", False),
    ):
        monkeypatch.setitem(inapp._categories, key, inapp.Category(key, label, mutable))


@pytest.fixture
def person():
    return UserFactory(first_name="Camille")


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


def _checkbox(page: Page, key: str):
    return page.find("input", type="checkbox", name="email_" + key.replace(".", "_"))


def _label(page: Page, key: str) -> str:
    checkbox = _checkbox(page, key)
    return page.find("label", for_=checkbox.attrs["id"]).all_text()


def _checked_except(page: Page, *keys: str) -> dict[str, str]:
    """What a browser posts after unchecking these categories: every other enabled box that is checked."""
    names = {"email_" + key.replace(".", "_") for key in keys}
    return {
        box.attrs["name"]: "on"
        for box in page.find_all("input", type="checkbox")
        if "checked" in box.attrs and "disabled" not in box.attrs and box.attrs["name"] not in names
    }


def _notify(user, category: str) -> Notification:
    return notify(
        user,
        category=category,
        title="Une nouvelle",
        body="Le détail.",
        url="/notifications/",
        email_template="notifications/test_message",
    )


def test_the_page_shows_one_checkbox_per_category(logged_in):
    page = assert_well_formed(logged_in.get(PREFERENCES_URL).content)

    assert _label(page, "essai.messages") == "Recevoir les courriels : Nouveaux messages"
    assert _label(page, "essai.rappels") == "Recevoir les courriels : Rappels de session"
    assert "checked" in _checkbox(page, "essai.messages").attrs
    assert "disabled" not in _checkbox(page, "essai.messages").attrs
    assert page.find("legend").all_text() == "Courriels que vous souhaitez recevoir"


def test_decisions_are_shown_checked_disabled_and_always_sent(logged_in):
    page = Page(logged_in.get(PREFERENCES_URL).content)

    checkbox = _checkbox(page, "essai.decisions")
    assert "checked" in checkbox.attrs
    assert "disabled" in checkbox.attrs
    assert _label(page, "essai.decisions") == (
        "Recevoir les courriels : Décisions sur mes demandes toujours envoyés (décisions)"
    )


def test_the_page_shows_what_i_chose(logged_in, person):
    EmailPreference.objects.create(user=person, category="essai.rappels", enabled=False)

    page = Page(logged_in.get(PREFERENCES_URL).content)

    assert "checked" not in _checkbox(page, "essai.rappels").attrs
    assert "checked" in _checkbox(page, "essai.messages").attrs


def test_saving_records_my_choices_with_a_message(logged_in, person):
    data = _checked_except(Page(logged_in.get(PREFERENCES_URL).content), "essai.rappels")
    assert "email_essai_messages" in data
    assert "email_essai_decisions" not in data  # a browser does not post a disabled box

    response = logged_in.post(PREFERENCES_URL, data, follow=True)

    page = Page(response.content)
    assert "Vos choix de courriels sont enregistrés." in page.find("div", class_="fr-alert").all_text()
    assert "checked" not in _checkbox(page, "essai.rappels").attrs
    assert "checked" in _checkbox(page, "essai.messages").attrs
    assert dict(EmailPreference.objects.filter(user=person).values_list("category", "enabled")) == {
        "essai.rappels": False
    }


def test_checking_again_turns_the_emails_back_on(logged_in, person):
    EmailPreference.objects.create(user=person, category="essai.rappels", enabled=False)

    logged_in.post(
        PREFERENCES_URL, _checked_except(Page(logged_in.get(PREFERENCES_URL).content)) | {"email_essai_rappels": "on"}
    )

    assert EmailPreference.objects.get(user=person, category="essai.rappels").enabled is True


def test_a_decision_cannot_be_muted_even_by_a_forged_post(logged_in, person):
    logged_in.post(PREFERENCES_URL, {"email_essai_decisions": ""})

    assert not EmailPreference.objects.filter(user=person, category="essai.decisions").exists()
    assert email_wanted(person, "essai.decisions")


def test_my_choices_do_not_touch_anyone_else(logged_in, person):
    other = UserFactory()

    logged_in.post(PREFERENCES_URL, {})

    assert not EmailPreference.objects.filter(user=other).exists()
    muted = set(EmailPreference.objects.filter(user=person, enabled=False).values_list("category", flat=True))
    assert {"essai.messages", "essai.rappels"} <= muted
    assert "essai.decisions" not in muted


def test_the_service_ignores_unknown_and_always_sent_categories(person):
    changed = email_preferences_set(
        user=person, choices={"essai.messages": False, "essai.decisions": False, "inconnue": False}
    )

    assert changed == {"essai.messages": False}
    assert list(EmailPreference.objects.filter(user=person).values_list("category", flat=True)) == ["essai.messages"]
    # Setting what is already recorded changes nothing.
    assert email_preferences_set(user=person, choices={"essai.messages": False, "essai.rappels": True}) == {}


def test_a_muted_category_writes_the_notification_but_sends_no_email(person):
    email_preferences_set(user=person, choices={"essai.rappels": False})

    notification = _notify(person, "essai.rappels")

    assert Notification.objects.filter(pk=notification.pk, user=person, category="essai.rappels").exists()
    assert not OutgoingEmail.objects.filter(user=person).exists()


def test_a_category_left_on_sends_the_email(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(person, "essai.messages")

    assert OutgoingEmail.objects.filter(user=person, category="essai.messages").count() == 1
    assert last_email_to(person.email)


def test_a_decision_is_always_emailed_even_with_a_stale_muting_row(person):
    # A row written before the category became "always sent" must not silence it.
    EmailPreference.objects.create(user=person, category="essai.decisions", enabled=False)

    _notify(person, "essai.decisions")

    assert OutgoingEmail.objects.filter(user=person, category="essai.decisions").count() == 1


def test_email_wanted_costs_one_query_at_most(person, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert email_wanted(person, "essai.messages")
    with django_assert_num_queries(0):
        assert email_wanted(person, "essai.decisions")


def test_the_preferences_page_needs_a_login(client):
    response = client.get(PREFERENCES_URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_no_category_registered_says_so(logged_in, monkeypatch):
    monkeypatch.setattr(views_centre, "notification_categories", list)

    page = Page(logged_in.get(PREFERENCES_URL).content)

    assert "Aucun courriel ne peut être réglé pour l’instant." in page.find("main").all_text()
    assert not page.find("input", type="checkbox")


def test_my_account_links_to_my_email_choices(logged_in):
    page = Page(logged_in.get(reverse("accounts:my_account")).content)

    assert page.find("a", href=PREFERENCES_URL).all_text() == "Choisir les courriels que je reçois"
