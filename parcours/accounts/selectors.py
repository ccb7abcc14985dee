from django.conf import settings
from django.core.paginator import Page, Paginator

from parcours.accounts.history import event_label
from parcours.accounts.models import NirRecord, Registration, TermsAcceptance, User
from parcours.accounts.nir import Nir
from parcours.accounts.nir_vault import nir_decrypt
from parcours.audit.selectors import audit_events_for_actor
from parcours.utils.useragent import describe_user_agent


def user_has_accepted_current_terms(*, user: User) -> bool:
    return TermsAcceptance.objects.filter(user=user, version=settings.PARCOURS_CGU_VERSION).exists()


def registration_get(*, public_id: str | None, kind: str | None = None) -> Registration | None:
    if not public_id:
        return None
    registrations = Registration.objects.filter(public_id=public_id)
    if kind:
        registrations = registrations.filter(kind=kind)
    return registrations.first()


def history_page(*, user: User, page_number: str | int | None, per_page: int = 20) -> Page:
    """The person's own audit events, newest first, a page at a time, ready to read."""
    events = audit_events_for_actor(actor=user).only("event_type", "occurred_at", "ip", "user_agent")
    page = Paginator(events, per_page).get_page(page_number)
    for event in page.object_list:
        event.label = event_label(event.event_type)
        event.device = describe_user_agent(event.user_agent)
    return page


def user_nir(*, user: User) -> Nir | None:
    record = NirRecord.objects.filter(user=user).first()
    return Nir(body=nir_decrypt(record.ciphertext)) if record else None
