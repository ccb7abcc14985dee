from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from parcours.accounts.models import TermsAcceptance, User
from parcours.audit.services import audit_record


@transaction.atomic
def terms_accept(*, user: User, request: HttpRequest | None = None) -> TermsAcceptance:
    acceptance, created = TermsAcceptance.objects.get_or_create(
        user=user, version=settings.PARCOURS_CGU_VERSION, defaults={"accepted_at": timezone.now()}
    )
    if created:
        audit_record(
            event_type="account.terms_accepted",
            actor=user,
            target=user,
            request=request,
            details={"version": acceptance.version},
        )
    return acceptance
