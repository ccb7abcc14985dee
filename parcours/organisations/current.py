"""The organisation whose lists and dashboards a person sees (../shared/DESIGN.md, the switcher).

Only a display choice, kept in the session: permission checks always look at every active membership.
Opening another organisation's object (from an email link) switches to it, with a notice.
"""

from django.contrib import messages
from django.http import HttpRequest

from parcours.organisations.models import Membership, Organisation
from parcours.organisations.permissions import active_memberships

SESSION_KEY = "parcours_organisation"


def current_membership(request: HttpRequest) -> Membership | None:
    memberships = active_memberships(request.user)
    if not memberships:
        return None
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if str(membership.organisation.public_id) == chosen:
            return membership
    return memberships[0]


def current_organisation(request: HttpRequest) -> Organisation | None:
    membership = current_membership(request)
    return membership.organisation if membership else None


def organisation_switch(request: HttpRequest, organisation: Organisation) -> bool:
    """Show this organisation from now on; False when the person is not an active member of it."""
    if not any(m.organisation_id == organisation.pk for m in active_memberships(request.user)):
        return False
    request.session[SESSION_KEY] = str(organisation.public_id)
    return True


def organisation_follow(request: HttpRequest, organisation: Organisation) -> None:
    """Call from a view showing an object of `organisation`: switch to it when it is not the current one."""
    current = current_organisation(request)
    if current is not None and current.pk != organisation.pk and organisation_switch(request, organisation):
        messages.info(request, f"Vous consultez maintenant l'espace de {organisation.name}.")
