import json

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import EmailChange, NirRecord, Registration, User
from parcours.accounts.nir_vault import nir_encrypt, nir_lookup_hash
from parcours.accounts.services.account import (
    EmailChangeLinkError,
    account_anonymise,
    data_export,
    deletion_request,
    deletions_run_due,
    email_change_confirm,
    email_change_request,
    profile_update,
)
from parcours.audit.models import AuditEvent
from parcours.audit.services import audit_record
from parcours.notifications.models import DevOutboxMessage, OutgoingEmail
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.outbox import emails_to, first_link, last_email_to

pytestmark = pytest.mark.django_db

NIR = "1850578006084"


@pytest.fixture
def person():
    user = UserFactory(email="julien.moreau@example.org", first_name="Julien", last_name="Moreau")
    NirRecord.objects.create(user=user, ciphertext=nir_encrypt(NIR), lookup_hash=nir_lookup_hash(NIR))
    return user


def token_in(address: str) -> str:
    return first_link(last_email_to(address), contains="/confirmer/").rstrip("/").rsplit("/", 1)[-1]


def test_profile_update_saves_changes_and_audits_field_names_only(person):
    changed = profile_update(user=person, data={"first_name": "Jules", "phone_mobile": "+33612345678"})

    person.refresh_from_db()
    assert changed == ["first_name", "phone_mobile"]
    assert person.first_name == "Jules"
    event = AuditEvent.objects.get(event_type="account.profile_updated")
    assert event.details == {"fields": ["first_name", "phone_mobile"]}
    assert "Jules" not in json.dumps(event.details)


def test_certified_identity_fields_are_read_only(person):
    person.identity_certified_at = timezone.now()
    person.save()

    changed = profile_update(user=person, data={"first_name": "Autre", "phone_mobile": "+33612345678"})

    assert changed == ["phone_mobile"]


def test_an_email_change_waits_for_the_new_address_then_tells_the_old_one(person, sent):
    sent(email_change_request, user=person, new_email="Julien.M@example.net")
    person.refresh_from_db()
    assert person.email == "julien.moreau@example.org"

    sent(email_change_confirm, token=token_in("julien.m@example.net"))

    person.refresh_from_db()
    assert person.email == "julien.m@example.net"
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified")) == [
        ("julien.m@example.net", True)
    ]
    notice = last_email_to("julien.moreau@example.org")
    assert "ju••••••@example.net" in notice.body_text
    assert "julien.m@example.net" not in notice.body_text
    assert AuditEvent.objects.filter(event_type="account.email_changed", actor=person).exists()


def test_an_address_of_another_account_gets_a_notice_and_no_link(person, sent):
    UserFactory(email="taken@example.org")

    sent(email_change_request, user=person, new_email="taken@example.org")

    message = last_email_to("taken@example.org")
    assert "/confirmer/" not in message.body_text
    assert "un autre compte" in message.body_text


def test_a_newer_request_cancels_the_older_link(person, sent):
    sent(email_change_request, user=person, new_email="first@example.net")
    first_token = token_in("first@example.net")
    sent(email_change_request, user=person, new_email="second@example.net")

    with pytest.raises(EmailChangeLinkError) as error:
        email_change_confirm(token=first_token)

    assert error.value.reason == "unavailable"


def test_my_data_holds_everything_about_me(person):
    audit_record(event_type="account.login", actor=person)

    data = data_export(user=person)

    assert data["compte"]["adresse_electronique"] == person.email
    assert data["compte"]["numero_de_securite_sociale"] == NIR
    assert data["historique"][0]["evenement"] == "account.login"
    assert data["conditions_generales_acceptees"][0]["version"] == "2026-11"


def test_downloading_my_data_needs_a_recent_login_and_gives_a_json_file(client, person):
    client.force_login(person)

    response = client.get(reverse("accounts:my_data_download"))
    assert response.status_code == 302  # reauthentication first, even right after a login
    client.post(response.url, {"password": DEFAULT_PASSWORD})
    download = client.get(reverse("accounts:my_data_download"))

    assert download["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    assert json.loads(download.content)["compte"]["prenom"] == "Julien"


def test_deletion_waits_seven_days_and_logging_in_cancels_it(client, person, sent):
    sent(deletion_request, user=person)
    person.refresh_from_db()
    assert (person.deletion_due_at - person.deletion_requested_at).days == 7
    assert "suppression" in last_email_to(person.email).subject

    client.post(reverse("account_login"), {"login": person.email, "password": DEFAULT_PASSWORD})

    person.refresh_from_db()
    assert person.deletion_due_at is None
    assert deletions_run_due() == 0


def test_anonymisation_leaves_no_personal_data(person, sent):
    sent(email_change_request, user=person, new_email="new@example.net")
    audit_record(event_type="account.login", actor=person)
    Registration.objects.create(kind="titulaire", email=person.email, expires_at=timezone.now(), user=person)
    old_email = person.email

    account_anonymise(user=person)

    person.refresh_from_db()
    assert person.email.endswith("@anonyme.invalid")
    assert (person.first_name, person.last_name, person.birth_date, str(person.phone_mobile)) == ("", "", None, "")
    assert not person.is_active
    assert not person.has_usable_password()
    assert not NirRecord.objects.filter(user=person).exists()
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not EmailChange.objects.filter(user=person).exists()
    assert not Registration.objects.filter(email=old_email).exists()
    assert not OutgoingEmail.objects.filter(recipient__in=[old_email, "new@example.net"]).exists()
    assert not DevOutboxMessage.objects.filter(to__icontains=old_email).exists()
    events = AuditEvent.objects.filter(actor=person)
    assert events.exists()  # kept, with a pseudonymous actor
    assert not events.exclude(ip=None).exists()
    assert not events.exclude(user_agent="").exists()
    assert emails_to(old_email) == []


def test_the_periodic_job_anonymises_what_is_due(person, sent):
    sent(deletion_request, user=person)
    User.objects.filter(pk=person.pk).update(deletion_due_at=timezone.now())

    assert deletions_run_due() == 1
    person.refresh_from_db()
    assert person.anonymised_at is not None


def test_history_shows_my_events_newest_first_paginated_with_bounded_queries(
    client, person, django_assert_max_num_queries
):
    other = UserFactory()
    for _ in range(25):
        audit_record(event_type="account.login", actor=person)
    audit_record(event_type="account.password_changed", actor=person)
    audit_record(event_type="account.login", actor=other)
    client.force_login(person)

    with django_assert_max_num_queries(8):
        first = client.get(reverse("accounts:history"))
    second = client.get(reverse("accounts:history"), {"page": 2})

    assert first.context["page"].object_list[0].label == "Changement de mot de passe"
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 6  # 26 events of mine, 20 a page
    assert all(event.actor_id == person.pk for event in second.context["page"].object_list)


def test_ending_the_other_sessions(client, person):
    other_browser = client.__class__()
    other_browser.post(reverse("account_login"), {"login": person.email, "password": DEFAULT_PASSWORD})
    client.post(reverse("account_login"), {"login": person.email, "password": DEFAULT_PASSWORD})

    client.post(reverse("accounts:sessions"))

    assert client.get(reverse("accounts:my_account")).status_code == 200
    assert other_browser.get(reverse("accounts:my_account")).status_code == 302


def test_changing_the_password_ends_the_other_sessions(client, person):
    other_browser = client.__class__()
    other_browser.post(reverse("account_login"), {"login": person.email, "password": DEFAULT_PASSWORD})
    client.post(reverse("account_login"), {"login": person.email, "password": DEFAULT_PASSWORD})

    client.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "Une-autre-phrase-secrete",
            "password2": "Une-autre-phrase-secrete",
        },
    )

    assert client.get(reverse("accounts:my_account")).status_code == 200
    assert other_browser.get(reverse("accounts:my_account")).status_code == 302


def test_anonymisation_spares_an_address_the_person_only_typed(person, sent):
    UserFactory(email="victim@example.org")
    sent(email_change_request, user=person, new_email="victim@example.org")

    account_anonymise(user=person)

    assert OutgoingEmail.objects.filter(recipient="victim@example.org").exists()
    assert emails_to("victim@example.org")


def test_a_deletion_cancelled_at_the_last_moment_is_not_carried_out(person, sent):
    sent(deletion_request, user=person)
    User.objects.filter(pk=person.pk).update(deletion_due_at=None, deletion_requested_at=None)

    assert account_anonymise(user=person, only_if_due=True) is False
    person.refresh_from_db()
    assert person.anonymised_at is None


def test_the_profile_keeps_the_signup_rules_for_a_nir_account(client, person):
    client.force_login(person)

    response = client.post(
        reverse("accounts:profile"), {"first_name": "Julien", "last_name": "Moreau", "birth_date": "1990-05-14"}
    )
    assert "L'année de naissance ne correspond pas" in " ".join(response.context["form"].errors["birth_date"])

    profile_update(user=person, data={"civility": "MME"})
    person.refresh_from_db()
    assert person.identity_review == "nir_sex_mismatch"
