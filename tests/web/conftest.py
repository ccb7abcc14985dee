import pytest

from parcours.accounts.models import User

PASSWORD = "correct horse battery staple"


@pytest.fixture
def user(db):
    return User.objects.create_user(
        email="camille.martin@example.org",
        password="correct horse battery staple",
        first_name="Camille",
        last_name="Martin",
    )


@pytest.fixture
def verified_user(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
