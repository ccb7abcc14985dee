import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command

from parcours.accounts.models import User
from parcours.web.management.commands.demo import ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_creates_confirmed_accounts_and_prints_them(capsys):
    call_command("demo")

    out = capsys.readouterr().out
    for account in ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert authenticate(email=account.email, password=DEMO_PASSWORD) == user
        assert EmailAddress.objects.get(user=user).verified
        assert f"{account.identifiers} — mot de passe : {DEMO_PASSWORD}" in out
    assert f"demo users created={len(ACCOUNTS) + 1} updated=0" in out  # + the taken-over account
    assert "secret TOTP : PARCOURSDEMOTOTPSECRETKEYAAAAAAA" in out
    assert "compte repris d'un ancien outil : Michel Blanc — michel.blanc@example.org" in out


def test_demo_is_idempotent_and_repairs_what_a_visitor_changed(capsys):
    call_command("demo")
    user = User.objects.get(email=ACCOUNTS[0].email)
    user.set_password("changed-by-a-visitor")
    user.save()

    call_command("demo")

    assert User.objects.count() == len(ACCOUNTS) + 1
    assert EmailAddress.objects.count() == len(ACCOUNTS) + 1
    assert authenticate(email=ACCOUNTS[0].email, password=DEMO_PASSWORD) == user
    assert f"created=0 updated={len(ACCOUNTS) + 1}" in capsys.readouterr().out


def test_scheduler_runs_every_periodic_job_once(capsys, settings):
    settings.PARCOURS_PERIODIC_JOBS = {
        "deliver_due_emails": 60,
        "purge_registrations": 3600,
        "delete_due_accounts": 3600,
    }

    call_command("run_scheduler", "--once")

    out = capsys.readouterr().out
    assert "requeued=0" in out
    assert "registrations purged=0" in out
    assert "accounts anonymised=0" in out


def test_purge_registrations_prints_what_it_did(capsys):
    call_command("purge_registrations")

    assert "registrations purged=0" in capsys.readouterr().out
