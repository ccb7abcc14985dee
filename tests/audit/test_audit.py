import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from parcours.audit.models import AppendOnlyError, AuditEvent
from parcours.audit.selectors import audit_events_for_actor
from parcours.audit.services import audit_record
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_audit_record_keeps_actor_target_request_and_details():
    user = UserFactory()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Firefox/140")
    request.user = user

    event = audit_record(event_type="account.login", actor=user, target=user, request=request, details={"ok": 1})

    event.refresh_from_db()
    assert event.actor == user
    assert event.target_type == "accounts.user"
    assert event.target_id == str(user.public_id)
    assert event.ip == "203.0.113.7"
    assert event.user_agent == "Firefox/140"
    assert event.details == {"ok": 1}


def test_anonymous_actor_is_recorded_as_none():
    event = audit_record(event_type="account.login_failed", actor=AnonymousUser())

    assert event.actor is None


def test_client_ip_trusts_only_the_configured_proxies(settings):
    settings.PARCOURS_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.9")

    event = audit_record(event_type="test", request=request)

    assert event.ip == "192.0.2.9"


def test_audit_events_cannot_be_changed_or_deleted():
    event = audit_record(event_type="account.login")

    event.event_type = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(event_type="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).event_type == "account.login"


def test_a_person_sees_their_own_events_newest_first():
    user, other = UserFactory(), UserFactory()
    first = audit_record(event_type="a", actor=user)
    audit_record(event_type="b", actor=other)
    last = audit_record(event_type="c", actor=user)

    assert list(audit_events_for_actor(actor=user)) == [last, first]
