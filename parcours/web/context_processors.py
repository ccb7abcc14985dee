"""The site's context, built from settings: no query of its own (django-dsfr's `site_config` reads a
table on every page and fails when the database does)."""

from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from parcours.notifications.selectors import notifications_unread_count
from parcours.web.navigation import account_url, main_navigation, organisation_switcher


def site_settings() -> dict:
    """What every page shows about the service, from settings only (the 500 page uses it alone)."""
    return {
        "service_name": settings.PARCOURS_SERVICE_NAME,
        "service_tagline": settings.PARCOURS_SERVICE_TAGLINE,
        "operator_name": settings.PARCOURS_OPERATOR_NAME,
        "contact_email": settings.PARCOURS_CONTACT_EMAIL,
        # Whether the NIR is collected here (a legal basis is set): login and sign-up pages adapt.
        "nir_enabled": bool(settings.PARCOURS_NIR_LEGAL_BASIS),
    }


def site(request: HttpRequest) -> dict:
    return {
        **site_settings(),
        # Lazy: only pages that draw the header pay for reading request.user.
        "navigation": SimpleLazyObject(lambda: main_navigation(request)),
        # Where "Mon compte" points (ACCOUNT_URL_NAMES), "" when no such page exists yet.
        "account_url": SimpleLazyObject(lambda: account_url() or ""),
        # The organisation switcher: the person's active memberships and the one shown (organisations.current).
        "switcher": SimpleLazyObject(lambda: organisation_switcher(request)),
        # The header badge: templates call it, it counts once per request and only when drawn. A callable
        # rather than a SimpleLazyObject so that filters (pluralize) and comparisons see a plain int.
        "unread_notifications": cache(lambda: notifications_unread_count(user=request.user)),
    }
