import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from parcours.accounts.models import User
from parcours.accounts.password_validation import PASSWORD_POLICIES


@pytest.fixture
def seed_policy(settings):
    settings.AUTH_PASSWORD_VALIDATORS = PASSWORD_POLICIES["seed"]


@pytest.fixture
def strong_policy(settings):
    settings.AUTH_PASSWORD_VALIDATORS = PASSWORD_POLICIES["strong"]


@pytest.mark.parametrize("password", ["Tour1ste123", "abcde123!", "ABCDE-123", "Orange2761"])
def test_seed_policy_accepts_five_letters_three_digits_three_classes(seed_policy, password):
    validate_password(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("abcd1234!", "au moins 5 lettres"),
        ("Abcdef12!", "au moins 3 chiffres"),
        ("abcdefg123", "3 catégories"),
        ("azerty123", "3 catégories"),
    ],
)
def test_seed_policy_names_what_is_missing(seed_policy, password, message):
    with pytest.raises(ValidationError) as error:
        validate_password(password)

    assert message in " ".join(error.value.messages)


def test_seed_policy_refuses_common_french_passwords(seed_policy):
    with pytest.raises(ValidationError, match="courant"):
        validate_password("Azerty123")


@pytest.mark.parametrize("password", ["Tour1ste123", "motdepasse2026", "aaaaaaaaaaaaaaaa"])
def test_strong_policy_refuses_short_or_guessable_passwords(strong_policy, password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_strong_policy_accepts_a_long_passphrase(strong_policy):
    validate_password("cheval-agrafe-pile-correcte")


def test_strong_policy_refuses_a_password_made_of_the_persons_name(strong_policy):
    user = User(email="touria.orange@example.org", first_name="Touria", last_name="Orange")

    with pytest.raises(ValidationError):
        validate_password("TouriaOrange2026", user=user)
