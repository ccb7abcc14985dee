"""What the enrollments' pages share: pagination that keeps the filters, and which of a person's
organisations a page shows."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator

from parcours.organisations.current import current_organisation
from parcours.organisations.models import Membership, Role
from parcours.organisations.permissions import MANAGING_ROLES, active_memberships

PER_PAGE = 25


@dataclass
class Pager:
    """A page and the links to its neighbours, the other GET parameters kept (filters, the other list's page)."""

    page: Page
    first: str = ""
    previous: str = ""
    next: str = ""
    last: str = ""


def paginate(request, queryset, *, param: str = "page", per_page: int = PER_PAGE, anchor: str = "") -> Pager:
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    suffix = f"#{anchor}" if anchor else ""

    def link(number: int) -> str:
        params = request.GET.copy()
        params[param] = number
        return f"?{params.urlencode()}{suffix}"

    pager = Pager(page=page)
    if page.has_previous():
        pager.first, pager.previous = link(1), link(page.previous_page_number())
    if page.has_next():
        pager.next, pager.last = link(page.next_page_number()), link(page.paginator.num_pages)
    return pager


def membership_for(request, allowed: Callable[[Membership], bool]) -> Membership:
    """The membership behind the page: the switcher's organisation when it qualifies, else the first that
    does; 403 when none does."""
    memberships = [membership for membership in active_memberships(request.user) if allowed(membership)]
    if not memberships:
        raise PermissionDenied
    current = current_organisation(request)
    for membership in memberships:
        if current is not None and membership.organisation_id == current.pk:
            return membership
    return memberships[0]


def manages_employer(membership: Membership) -> bool:
    return membership.organisation.is_employer and membership.role in MANAGING_ROLES


def works_for_provider(membership: Membership) -> bool:
    return membership.organisation.is_provider and membership.role in {*MANAGING_ROLES, Role.TRAINER}
