from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from parcours.organisations import permissions


def operator_staff_required(view):
    """403 for anyone who is not a référent or manager of an active operator; the territory is checked per object."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not permissions.is_operator_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def breadcrumb_links(*links: tuple[str, str]) -> list[dict[str, str]]:
    """The pages between home and this one: the back office's home first, then (label, url) pairs."""
    return [{"label": "Espace opérateur", "url": reverse("backoffice:home")}] + [
        {"label": label, "url": url} for label, url in links
    ]
