"""Imported accounts' SIRET and UAI claims become join requests (issue 5).

The legacy applications attached accounts to a structure by its identifier. Once that organisation is in
Parcours, the claim becomes a join request (role gestionnaire) that its référents, or an operator, decide;
the claim is then cleared. A claim whose organisation is not in Parcours stays: "Mes structures" offers to
ask for its creation, and the next login tries again.
"""

from parcours.organisations.models import Membership, MembershipStatus, OrganisationRequest, Role
from parcours.organisations.selectors import organisation_by_uai, organisation_live_by_siret
from parcours.organisations.services.requests import RequestRefused, join_request_create

LEGACY_MESSAGE = "Demande créée à partir du rattachement de mon ancien compte."


def _claimed(user, field: str):
    claim = getattr(user, field)
    organisation = organisation_live_by_siret(claim) if field == "legacy_siret_claim" else organisation_by_uai(claim)
    if organisation is None or organisation.status == "closed" or organisation.is_operator:
        return None
    return organisation


def legacy_claims_to_requests(user, *, request=None) -> list[OrganisationRequest]:
    """Turn the person's claims whose organisation exists into join requests; idempotent."""
    created = []
    cleared = []
    for field in ("legacy_siret_claim", "legacy_uai_claim"):
        if not getattr(user, field):
            continue
        organisation = _claimed(user, field)
        if organisation is None:
            continue
        already = (
            Membership.objects.filter(user=user, organisation=organisation)
            .exclude(status=MembershipStatus.REVOKED)
            .exists()
        )
        if not already:
            try:
                created.append(
                    join_request_create(
                        requester=user,
                        organisation=organisation,
                        role=Role.MANAGER,
                        message=LEGACY_MESSAGE,
                        request=request,
                    )
                )
            except RequestRefused:
                continue  # kept: the next login tries again
        setattr(user, field, "")
        cleared.append(field)
    if cleared:
        user.save(update_fields=cleared)
    return created
