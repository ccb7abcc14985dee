"""The thread of an enrollment: who writes, who is alerted, unread counts."""

import pytest
from django.urls import reverse

from parcours.enrollments.models import Enrollment, EnrollmentMessage
from parcours.enrollments.notifications import CATEGORY_DECISION, CATEGORY_MESSAGE
from parcours.enrollments.selectors import thread_unread_count, unread_counts
from parcours.enrollments.services import EnrollmentRefused, message_post
from parcours.notifications.inapp import email_wanted
from parcours.notifications.models import EmailPreference, Notification, OutgoingEmail
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.helpers.outbox import first_link, last_email_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return cast()


@pytest.fixture
def enrollment(people):
    return EnrollmentFactory(session=people.session, employer=people.employer, beneficiary=people.beneficiary)


def test_a_message_alerts_the_other_parties_by_email(people, enrollment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_post(enrollment=enrollment, author=people.beneficiary, body="Le lieu est-il accessible ?")

    assert (message.author_party, message.body) == ("beneficiary", "Le lieu est-il accessible ?")
    told = set(Notification.objects.filter(category=CATEGORY_MESSAGE).values_list("user", flat=True))
    parties = {people.employer_referent, people.employer_manager, people.provider_referent, people.provider_manager}
    assert told == {person.pk for person in parties}
    email = last_email_to(people.provider_manager.email)
    assert email.subject == "Nouveau message de Léa Petit"
    assert "Le lieu est-il accessible ?" in email.body_text
    assert first_link(email, "/inscriptions/").endswith(f"/inscriptions/{enrollment.public_id}/")


@pytest.mark.parametrize(
    ("role", "party"),
    [("employer_manager", "employer"), ("provider_referent", "provider"), ("trainer", "provider")],
)
def test_each_party_writes_under_its_side(people, enrollment, role, party):
    message = message_post(enrollment=enrollment, author=getattr(people, role), body="Bonjour")

    assert message.author_party == party
    assert Notification.objects.filter(user=people.beneficiary, category=CATEGORY_MESSAGE).exists()


def test_operator_staff_read_the_thread_but_do_not_write(client, people, enrollment):
    with pytest.raises(EnrollmentRefused, match="pas y répondre"):
        message_post(enrollment=enrollment, author=people.operator_staff, body="Bonjour")

    client.force_login(people.operator_staff)
    assert client.get(reverse("enrollments:detail", args=[enrollment.public_id])).context["message_form"] is None


def test_message_alerts_can_be_muted_but_not_decisions(people, enrollment):
    EmailPreference.objects.create(user=people.provider_manager, category=CATEGORY_MESSAGE, enabled=False)
    EmailPreference.objects.create(user=people.provider_manager, category=CATEGORY_DECISION, enabled=False)

    message_post(enrollment=enrollment, author=people.beneficiary, body="Bonjour")

    assert Notification.objects.filter(user=people.provider_manager).exists()  # still in the app
    assert not OutgoingEmail.objects.filter(recipient=people.provider_manager.email).exists()
    assert OutgoingEmail.objects.filter(recipient=people.provider_referent.email).exists()
    assert email_wanted(people.provider_manager, CATEGORY_DECISION)


def test_unread_counts_follow_what_each_person_has_seen(client, people, enrollment):
    message_post(enrollment=enrollment, author=people.beneficiary, body="Premier")
    message_post(enrollment=enrollment, author=people.beneficiary, body="Second")

    assert thread_unread_count(enrollment, people.employer_manager) == 2
    assert thread_unread_count(enrollment, people.beneficiary) == 0  # one's own messages are read

    client.force_login(people.employer_manager)
    page = client.get(reverse("enrollments:detail", args=[enrollment.public_id]))
    assert page.context["unread"] == 2
    assert "2 non lus" in page.content.decode()
    assert thread_unread_count(enrollment, people.employer_manager) == 0

    message_post(enrollment=enrollment, author=people.provider_manager, body="Réponse")
    assert thread_unread_count(enrollment, people.employer_manager) == 1
    assert thread_unread_count(enrollment, people.beneficiary) == 1


def test_unread_counts_for_a_list_in_one_query(people, enrollment, django_assert_num_queries):
    other = EnrollmentFactory(session=people.session, employer=people.employer)
    message_post(enrollment=enrollment, author=people.beneficiary, body="Un")
    message_post(enrollment=other, author=people.employer_manager, body="Deux")  # writing reads the thread
    message_post(enrollment=other, author=other.beneficiary, body="Trois")
    message_post(enrollment=other, author=other.beneficiary, body="Quatre")

    with django_assert_num_queries(1):
        counts = {
            row.pk: row.unread_messages
            for row in unread_counts(Enrollment.objects.filter(session=people.session), people.employer_manager)
        }

    assert counts == {enrollment.pk: 1, other.pk: 2}


def test_posting_from_the_page(client, people, enrollment):
    client.force_login(people.provider_manager)

    empty = client.post(reverse("enrollments:message", args=[enrollment.public_id]), {"body": "  "})
    assert empty.status_code == 400
    assert "Écrivez votre message" in empty.content.decode()

    response = client.post(reverse("enrollments:message", args=[enrollment.public_id]), {"body": "Bienvenue !"})
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    assert EnrollmentMessage.objects.get().author == people.provider_manager
