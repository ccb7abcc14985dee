"""Signal receivers of the organisations app (connected in OrganisationsConfig.ready)."""

from allauth.account.signals import user_logged_in
from django.dispatch import receiver

from parcours.organisations.services.legacy_claims import legacy_claims_to_requests


@receiver(user_logged_in, dispatch_uid="organisations.legacy_claims")
def legacy_claims_on_login(sender, request, user, **kwargs):
    # Only imported accounts carry claims: for everyone else this reads two empty fields, no query.
    if user.legacy_siret_claim or user.legacy_uai_claim:
        legacy_claims_to_requests(user, request=request)
