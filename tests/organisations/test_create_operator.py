import pytest
from django.core.management import CommandError, call_command

from parcours.accounts.mfa import mfa_required
from parcours.accounts.models import User
from parcours.organisations.models import Membership, Organisation, Role
from tests.helpers.outbox import last_email_to

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("create_operator", *args, stdout=out)
    return out.getvalue()


ARGS = [
    "--name",
    "Région Exemple",
    "--departments",
    "75, 92,2a",
    "--email",
    "Anne.Durand@Region.example.org",
    "--first-name",
    "Anne",
    "--last-name",
    "Durand",
]


def test_create_operator_makes_the_operator_its_first_gestionnaire_and_prints_the_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        output = run(*ARGS)

    operator = Organisation.objects.get(name="Région Exemple")
    assert operator.is_operator
    assert operator.is_active
    assert operator.operator_profile.departments == ["2A", "75", "92"]
    user = User.objects.get(email="anne.durand@region.example.org")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, organisation=operator).role == Role.REFERENT
    assert mfa_required(user)
    link = output.split("courriel) : ")[1].strip()
    assert "/compte/password/reset/key/" in link
    assert link in last_email_to(user.email).body_text


def test_running_it_again_creates_nothing_twice():
    run(*ARGS)
    output = run(*ARGS)

    assert "Opérateur existant" in output
    assert Organisation.objects.filter(name="Région Exemple").count() == 1
    assert Membership.objects.count() == 1


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--departments", "75,100", "« 100 » n'est pas un code de département"),
        ("--siret", "12345678901234", "Ce numéro SIRET n'existe pas"),
    ],
)
def test_bad_identifiers_are_refused_in_french(option, value, message):
    args = list(ARGS)
    if option in args:
        args[args.index(option) + 1] = value
    else:
        args += [option, value]

    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Organisation.objects.exists()
