from allauth.account.models import EmailAddress
from django.db import transaction

from parcours.accounts.models import User


@transaction.atomic
def user_create_confirmed(*, email: str, password: str, first_name: str, last_name: str) -> User:
    """An account whose email is already proven (demo data, imports); sign-ups prove it themselves."""
    user = User.objects.create_user(email=email, password=password, first_name=first_name, last_name=last_name)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user
