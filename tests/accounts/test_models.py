import uuid

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError, connection

from parcours.accounts.models import User
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_stored_lower_case_and_unique_whatever_the_case():
    user = User.objects.create_user(email="Jeanne.Dupont@Example.ORG", password="x")

    assert User.objects.get(pk=user.pk).email == "jeanne.dupont@example.org"
    with pytest.raises(IntegrityError):
        User.objects.create_user(email="JEANNE.DUPONT@example.org", password="y")


def test_a_mixed_case_email_cannot_reach_the_table_even_through_raw_sql():
    with pytest.raises(IntegrityError), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounts_user (public_id, email, password, first_name, last_name, is_active, is_staff, "
            "is_superuser, date_joined) VALUES (%s, %s, '', '', '', true, false, false, CURRENT_TIMESTAMP)",
            [uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()), "Upper@Example.org"],
        )


def test_login_by_email_ignores_case():
    user = UserFactory(email="paul.henry@example.org")

    assert authenticate(email="Paul.Henry@EXAMPLE.org", password=DEFAULT_PASSWORD) == user


def test_each_user_has_a_distinct_public_uuid():
    first, second = UserFactory(), UserFactory()

    assert isinstance(first.public_id, uuid.UUID)
    assert first.public_id != second.public_id


def test_passwords_are_hashed_with_argon2_in_production(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    user = User.objects.create_user(email="argon@example.org", password="Un-mot-de-passe-solide-42")

    assert user.password.startswith("argon2$")
    assert user.check_password("Un-mot-de-passe-solide-42")
