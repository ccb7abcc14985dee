"""Two-factor authentication: the service, the rule of who must have it, and the login stages around it."""

import re
import time
from datetime import timedelta

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from parcours.accounts import forms as accounts_forms
from parcours.accounts import mfa as mfa_rule
from parcours.accounts.mfa import mfa_enabled, mfa_required, mfa_requirement_register
from parcours.accounts.services.login import LoginLocked
from parcours.accounts.services.mfa import (
    TotpAlreadyActive,
    TotpSecretInvalid,
    mfa_audit_connect,
    mfa_audit_disconnect,
    mfa_audit_is_connected,
    mfa_code_attempt_check,
    mfa_code_failure_record,
    totp_activate,
    totp_secret_normalize,
)
from parcours.audit.models import AuditEvent
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.outbox import emails_to, last_email_to

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OPERATOR_DOMAIN = "@region.example.org"


def login(client, user, password=DEFAULT_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def confirm_password(client):
    """allauth asks the password again (reauthentication) before any change to two-factor authentication."""
    return client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})


def code(secret=SECRET, *, at=None):
    return pyotp.TOTP(secret).at(at if at is not None else time.time())


@pytest.fixture
def fresh_window(time_machine):
    """Start at the beginning of a 30-second TOTP window: a code typed now is still valid when checked."""
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(minutes=1, seconds=1)
    time_machine.move_to(start, tick=False)
    return time_machine


@pytest.fixture
def operators_must_use_totp(monkeypatch):
    """Later issues register "operator staff"; here, a stand-in rule on the email domain, removed afterwards."""
    monkeypatch.setattr(mfa_rule, "_requirements", [])
    mfa_requirement_register(lambda user: user.email.endswith(OPERATOR_DOMAIN))


@pytest.fixture
def operator():
    return UserFactory(email=f"gestionnaire{OPERATOR_DOMAIN}", first_name="Claire", last_name="Martin")


@pytest.fixture
def audited():
    """The audit receivers on for this test, and left as they were (AccountsConfig.ready() may connect them)."""
    was_connected = mfa_audit_is_connected()
    mfa_audit_connect()
    yield
    if not was_connected:
        mfa_audit_disconnect()


# The service.


def test_totp_activate_turns_on_totp_and_recovery_codes_with_the_given_secret():
    user = UserFactory()

    activation = totp_activate(user=user, secret=SECRET)

    assert activation.created
    assert mfa_enabled(user)
    assert activation.authenticator.wrap().validate_code(code())
    assert len(activation.recovery_codes) == 10
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert rc.wrap().get_unused_codes() == activation.recovery_codes
    event = AuditEvent.objects.get(event_type="account.mfa_enabled")
    assert event.target_id == str(user.public_id)
    assert event.actor is None  # set by a command, not by the person


def test_totp_activate_is_idempotent_for_the_same_secret_however_it_is_written():
    user = UserFactory()
    first = totp_activate(user=user, secret=SECRET)

    again = totp_activate(user=user, secret=" jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp ")

    assert not again.created
    assert again.authenticator.pk == first.authenticator.pk
    assert again.recovery_codes == first.recovery_codes
    assert Authenticator.objects.filter(user=user).count() == 2
    assert AuditEvent.objects.filter(event_type="account.mfa_enabled").count() == 1


def test_totp_activate_never_replaces_another_secret():
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)

    with pytest.raises(TotpAlreadyActive):
        totp_activate(user=user, secret=pyotp.random_base32())


def test_a_secret_whose_length_is_not_a_multiple_of_eight_still_gives_valid_codes():
    user = UserFactory()
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEH"  # 26 characters: base32 padding needed to decode

    activation = totp_activate(user=user, secret=secret)

    assert activation.authenticator.wrap().validate_code(code(secret))


@pytest.mark.parametrize("secret", ["", "JBSWY3DP", "JBSWY3DPEHPK3PX1", "not base32 at all!"])
def test_a_short_or_malformed_secret_is_refused(secret):
    with pytest.raises(TotpSecretInvalid):
        totp_secret_normalize(secret)


# The rule and its middleware.


def test_nobody_must_use_totp_until_a_rule_says_so(monkeypatch, operator):
    monkeypatch.setattr(mfa_rule, "_requirements", [])

    assert not mfa_required(operator)


def test_a_person_who_must_use_totp_is_sent_to_set_it_up_at_login(client, operators_must_use_totp, operator):
    response = login(client, operator)
    assert client.session["_auth_user_id"] == str(operator.pk)

    landing = client.get(response.url)
    elsewhere = client.get(reverse("accounts:my_account"))

    assert landing.status_code == 302
    assert landing.url == reverse("mfa_activate_totp")
    assert elsewhere.url == reverse("mfa_activate_totp")
    # The reauthentication page is reachable: allauth asks the password before any MFA change.
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.url.startswith(reverse("account_reauthenticate"))
    assert client.get(asked.url).status_code == 200
    confirm_password(client)
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    assert "Activer la double authentification" in page.text


def test_until_totp_is_on_only_its_setup_and_logout_are_reachable(client, operators_must_use_totp, operator):
    login(client, operator)

    for url in (reverse("web:home"), reverse("mfa_index"), reverse("mfa_generate_recovery_codes")):
        assert client.get(url).url == reverse("mfa_activate_totp"), url
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db(transaction=True)
def test_once_totp_is_on_the_person_reaches_their_pages(client, operators_must_use_totp, operator, fresh_window):
    login(client, operator)
    confirm_password(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    activated = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})

    assert activated.url == reverse("mfa_view_recovery_codes")
    codes_page = client.get(activated.url)
    assert codes_page.status_code == 200
    assert "La double authentification est activée" in codes_page.text
    assert client.get(reverse("accounts:my_account")).status_code == 200
    assert mfa_enabled(operator)


def test_a_person_who_must_use_totp_cannot_turn_it_off(client, operators_must_use_totp, operator, fresh_window):
    totp_activate(user=operator, secret=SECRET)
    login(client, operator)
    client.post(reverse("mfa_authenticate"), {"code": code()})
    confirm_password(client)

    client.post(reverse("mfa_deactivate_totp"))

    assert mfa_enabled(operator)
    assert client.get(reverse("accounts:my_account")).status_code == 200


def test_a_person_the_rule_does_not_name_is_left_alone(client, operators_must_use_totp):
    user = UserFactory()
    login(client, user)

    assert client.get(reverse("accounts:my_account")).status_code == 200


# Logging in with TOTP on: allauth's stage, then ours.


def test_with_totp_on_the_password_alone_does_not_open_the_session(client, fresh_window):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)

    response = login(client, user)

    assert response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    page = client.get(response.url)
    assert "Saisissez votre code de vérification" in page.text
    assert client.get(reverse("accounts:my_account")).url.startswith(reverse("account_login"))


def test_a_wrong_code_is_refused_in_french_and_the_right_one_opens_the_session(client, fresh_window):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    login(client, user)

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if code() != "000000" else "111111"})
    right = client.post(reverse("mfa_authenticate"), {"code": code()})

    assert wrong.status_code == 200
    assert "Code incorrect." in wrong.text
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_totp_code_serves_once(client, fresh_window):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code()})
    client.post(reverse("account_logout"))

    login(client, user)
    replayed = client.post(reverse("mfa_authenticate"), {"code": code()})

    assert replayed.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_recovery_code_logs_in_once(client):
    user = UserFactory()
    recovery_code = totp_activate(user=user, secret=SECRET).recovery_codes[3]

    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": recovery_code})
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("account_logout"))
    login(client, user)
    again = client.post(reverse("mfa_authenticate"), {"code": recovery_code})

    assert again.status_code == 200
    assert "_auth_user_id" not in client.session
    rc = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert len(rc.wrap().get_unused_codes()) == 9


def test_cancelling_the_code_step_leaves_the_person_logged_out(client):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    login(client, user)

    client.post(reverse("account_logout"), {"next": reverse("account_login")})

    assert client.get(reverse("mfa_authenticate")).url == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_totp_then_new_cgu_both_are_asked_in_turn(client, settings, fresh_window):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    settings.PARCOURS_CGU_VERSION = "2099-01"

    after_password = login(client, user)
    after_code = client.post(reverse("mfa_authenticate"), {"code": code()})
    assert after_password.url == reverse("mfa_authenticate")
    assert after_code.url == reverse("accounts:terms_accept")
    assert "_auth_user_id" not in client.session
    after_terms = client.post(after_code.url, {"accept": "on"})

    assert after_terms.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_cgu_page_cannot_be_used_to_skip_the_code(client, settings):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    settings.PARCOURS_CGU_VERSION = "2099-01"
    login(client, user)

    skipped = client.post(reverse("accounts:terms_accept"), {"accept": "on"})

    assert skipped.url == reverse("account_login")
    assert "_auth_user_id" not in client.session


def test_new_cgu_then_totp_setup_for_a_person_who_must_use_it(client, settings, operators_must_use_totp, operator):
    settings.PARCOURS_CGU_VERSION = "2099-01"

    after_password = login(client, operator)
    assert after_password.url == reverse("accounts:terms_accept")
    after_terms = client.post(after_password.url, {"accept": "on"})
    assert client.session["_auth_user_id"] == str(operator.pk)

    assert client.get(after_terms.url).url == reverse("mfa_activate_totp")


def test_a_person_who_must_use_totp_and_has_it_meets_the_code_then_the_cgu(
    client, settings, operators_must_use_totp, operator, fresh_window
):
    totp_activate(user=operator, secret=SECRET)
    settings.PARCOURS_CGU_VERSION = "2099-01"

    login(client, operator)
    after_code = client.post(reverse("mfa_authenticate"), {"code": code()})
    after_terms = client.post(after_code.url, {"accept": "on"})

    assert client.get(after_terms.url).status_code == 200


# Wrong codes: our lockout, since allauth's own limit is off with ACCOUNT_RATE_LIMITS["login_failed"].


def test_five_wrong_codes_lock_the_code_step_of_that_account_only(rf, settings):
    user, other = UserFactory(), UserFactory()
    request = rf.post("/")

    for _ in range(settings.PARCOURS_LOCKOUT_FAILURES - 1):
        assert mfa_code_failure_record(user=user, request=request) is None
    mfa_code_attempt_check(user=user, request=request)
    lock = mfa_code_failure_record(user=user, request=request)

    assert lock is not None
    with pytest.raises(LoginLocked):
        mfa_code_attempt_check(user=user, request=request)
    mfa_code_attempt_check(user=other, request=request)


@pytest.mark.skipif(
    not hasattr(accounts_forms, "MfaAuthenticateForm"), reason="MFA_FORMS of the issue 4 report not wired yet"
)
def test_the_code_step_refuses_even_the_right_code_once_locked(client, settings, fresh_window):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    login(client, user)

    for _ in range(settings.PARCOURS_LOCKOUT_FAILURES):
        client.post(reverse("mfa_authenticate"), {"code": "000000" if code() != "000000" else "111111"})
    locked = client.post(reverse("mfa_authenticate"), {"code": code()})

    assert re.search(r"Trop de codes incorrects\. Réessayez dans 1[56] minutes\.", locked.text)
    assert "_auth_user_id" not in client.session


# Reauthentication before sensitive changes.


def test_after_the_timeout_a_change_asks_for_the_password_again_then_resumes(client, time_machine, settings):
    user = UserFactory()
    time_machine.move_to(timezone.now(), tick=False)
    login(client, user)
    time_machine.shift(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1)

    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.url.startswith(reverse("account_reauthenticate"))
    page = client.get(asked.url)
    assert "Confirmez votre identité" in page.text
    assert "Confirmer avec un code" not in page.text  # no TOTP yet: the password only
    wrong = client.post(asked.url, {"password": "pas le bon"})
    resumed = client.post(asked.url, {"password": DEFAULT_PASSWORD})

    assert wrong.status_code == 200
    assert resumed.status_code == 302
    assert client.get(resumed.url).status_code == 200
    assert resumed.url == reverse("mfa_activate_totp")


def test_with_totp_on_reauthentication_also_accepts_a_code(client, fresh_window, settings):
    user = UserFactory()
    totp_activate(user=user, secret=SECRET)
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code()})
    fresh_window.shift(settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 30)

    asked = client.get(reverse("mfa_generate_recovery_codes"))
    password_page = client.get(asked.url)
    assert "Confirmer avec un code de vérification" in password_page.text
    code_url = password_page.context["reauthentication_alternatives"][0]["url"]
    code_page = client.get(code_url)
    resumed = client.post(code_url, {"code": code()})

    assert "Confirmez votre identité" in code_page.text
    assert "Confirmer avec mon mot de passe" in code_page.text
    assert resumed.url == reverse("mfa_generate_recovery_codes")


# The pages, in French.


def test_the_pages_speak_french(client):
    user = UserFactory()
    activation = totp_activate(user=user, secret=SECRET)
    login(client, user)
    client.post(reverse("mfa_authenticate"), {"code": activation.recovery_codes[0]})
    confirm_password(client)

    index = client.get(reverse("mfa_index"))
    codes = client.get(reverse("mfa_view_recovery_codes"))
    generate = client.get(reverse("mfa_generate_recovery_codes"))
    deactivate = client.get(reverse("mfa_deactivate_totp"))
    download = client.get(reverse("mfa_download_recovery_codes"))

    assert "Activée" in index.text
    assert "9 codes sur 10 sont encore utilisables" in index.text
    assert all(recovery_code in codes.text for recovery_code in activation.recovery_codes[1:])
    assert "ne fonctionneront plus" in generate.text
    assert "Désactiver la double authentification" in deactivate.text
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(recovery_code in download.content.decode() for recovery_code in activation.recovery_codes[1:])
    for page in (index, codes, generate, deactivate):
        for english in ("Two-Factor", "Authenticator App", "Recovery Codes", "Activate", "Generate", "Download"):
            assert english not in page.text


def test_the_activation_page_shows_the_qr_code_and_the_secret_written_out(client):
    user = UserFactory()
    login(client, user)
    confirm_password(client)

    page = client.get(reverse("mfa_activate_totp"))

    secret = client.session["mfa.totp.secret"]
    assert 'href="data:image/svg+xml;base64,' in page.text
    written_out = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    assert written_out in page.text
    assert "otpauth://totp/" in page.text
    assert user.email in page.text


def test_activation_with_a_wrong_code_keeps_the_same_secret(client, fresh_window):
    user = UserFactory()
    login(client, user)
    confirm_password(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000" if code(secret) != "000000" else "111111"})

    assert wrong.status_code == 200
    assert "Code incorrect." in wrong.text
    assert client.session["mfa.totp.secret"] == secret
    assert not mfa_enabled(user)


# Audit and notifications. allauth sends its signals, messages and emails from on_commit: these tests
# are transactional so that it runs inside the request, as it does live.


@pytest.mark.django_db(transaction=True)
def test_allauth_flows_leave_audit_events(client, audited, fresh_window):
    user = UserFactory()
    login(client, user)
    confirm_password(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    client.post(reverse("mfa_generate_recovery_codes"))
    client.post(reverse("mfa_deactivate_totp"))

    events = list(AuditEvent.objects.filter(actor=user).values_list("event_type", flat=True).order_by("id"))
    assert events[-3:] == ["account.mfa_enabled", "account.recovery_codes_generated", "account.mfa_disabled"]


def test_a_failed_code_and_a_recovery_code_are_audited(client, audited):
    user = UserFactory()
    recovery_code = totp_activate(user=user, secret=SECRET).recovery_codes[0]
    login(client, user)

    client.post(reverse("mfa_authenticate"), {"code": "12345678"})
    client.post(reverse("mfa_authenticate"), {"code": recovery_code})

    assert AuditEvent.objects.filter(actor=user, event_type="account.mfa_failed").count() == 1
    assert AuditEvent.objects.filter(actor=user, event_type="account.recovery_code_used").count() == 1


@pytest.mark.django_db(transaction=True)
def test_security_notifications_are_french_when_turned_on(client, settings, fresh_window):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    user = UserFactory(first_name="Claire", last_name="Martin")
    login(client, user)
    confirm_password(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    client.post(reverse("mfa_deactivate_totp"))

    activated, deactivated = sorted(emails_to(user.email), key=lambda message: message.id)
    assert activated.subject == "Double authentification activée sur votre compte"
    assert "Bonjour Claire Martin," in activated.body_text
    assert last_email_to(user.email) == deactivated
    assert "n'est plus protégé que par votre mot de passe" in deactivated.body_text
