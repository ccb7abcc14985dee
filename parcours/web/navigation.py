"""What the header and the home page link to, computed from the request.

The main navigation follows from what a person has (memberships, a CPF account, a remuneration
dossier, enrollments): each app that adds a space for someone extends ``main_navigation`` with the
items that person is entitled to. Keep it cheap: it runs on every page, so read what the request
already carries (``request.user``) or what one query per request fetches, never one query per item.
"""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from parcours.enrollments.dashboards import dashboard_links
from parcours.organisations.current import current_membership
from parcours.organisations.permissions import active_memberships, is_operator_staff


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation: a link, or a menu of links when ``children`` is set."""

    label: str
    url: str = ""
    active: bool = False
    children: tuple["NavItem", ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SignupEntry:
    """A sign-up journey offered on the home page."""

    label: str
    description: str
    url_name: str


# The sign-up journeys, in the order the home page shows them. An entry whose URL name does not
# resolve yet is left out, so each journey appears once its issue adds the view with this name.
SIGNUP_ENTRIES: tuple[SignupEntry, ...] = (
    SignupEntry(
        label="Titulaire d'un compte formation",
        description="Créez votre compte personnel de formation avec votre numéro de sécurité sociale.",
        url_name="accounts:signup_titulaire",
    ),
    SignupEntry(
        label="Stagiaire de la formation professionnelle",
        description="Suivez votre dossier de rémunération et vos paiements.",
        url_name="accounts:signup_stagiaire",
    ),
    SignupEntry(
        label="Salarié, employeur ou organisme de formation",
        description="Créez votre compte professionnel, puis rattachez-le à votre structure.",
        url_name="accounts:signup_professional",
    ),
    SignupEntry(
        label="Établissement scolaire",
        description="Inscrivez votre collège ou votre lycée avec son code UAI, puis vos élèves aux mini-stages.",
        url_name="schools:signup",
    ),
)

# Where "Mon compte" points: the first of these names that resolves.
ACCOUNT_URL_NAMES: tuple[str, ...] = ("accounts:my_account", "account_change_password")


def url_or_none(url_name: str, *args, **kwargs) -> str | None:
    try:
        return reverse(url_name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def signup_entries() -> list[dict]:
    """The sign-up journeys that exist, as dicts (label, description, url) for the templates."""
    entries = []
    for entry in SIGNUP_ENTRIES:
        url = url_or_none(entry.url_name)
        if url:
            entries.append({"label": entry.label, "description": entry.description, "url": url})
    return entries


def account_url() -> str | None:
    for url_name in ACCOUNT_URL_NAMES:
        if url := url_or_none(url_name):
            return url
    return None


def main_navigation(request: HttpRequest | None) -> list[NavItem]:
    """The main navigation for this request, with the current page's item marked active.

    Extend it here: append the items a person's memberships, CPF account, remuneration dossier or
    enrollments give them (``NavItem(label, url)``; ``children=(...)`` makes a menu). ``active`` is
    computed at the end, so only give labels and URLs.
    """
    items = [NavItem("Accueil", reverse("web:home"))]
    if url := url_or_none("catalog:search"):
        items.append(NavItem("Trouver une formation", url))
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        items.append(NavItem("Mon espace", reverse("web:home")))
        memberships = active_memberships(user)
        professional = memberships or user.registration_kind == "professionnel"
        if professional and (url := url_or_none("organisations:home")):
            items.append(NavItem("Mes structures", url))
        # The dashboards of the person's roles, from the memberships already read (no query).
        dashboards = [NavItem(label, url) for label, name in dashboard_links(user) if (url := url_or_none(name))]
        managing = {kind for m in memberships if m.role in ("referent", "manager") for kind in m.organisation.kinds}
        trains = any(m.role == "trainer" and m.organisation.is_provider for m in memberships)
        running = [
            ("Mon offre de formation", "catalog_manage:actions", "provider" in managing),
            ("Émargement", "attendance:home", "provider" in managing or trains),
            ("Présence des salariés", "attendance:employer", "employer" in managing),
            ("Conventions de formation", "conventions:list", bool(managing & {"provider", "employer", "operator"})),
        ]
        dashboards += [NavItem(label, url) for label, name, shown in running if shown and (url := url_or_none(name))]
        if len(dashboards) == 1:
            items.append(dashboards[0])
        elif dashboards:
            items.append(NavItem("Mes tableaux de bord", children=tuple(dashboards)))
        if is_operator_staff(user):
            pages = (
                ("Demandes à traiter", "backoffice:home"),
                ("Programmes", "catalog_manage:programmes"),
                ("Bilans de l'action", "reports:operator"),
                ("Statistiques", "statistics:home"),
            )
            operator = [NavItem(label, url) for label, name in pages if (url := url_or_none(name))]
            if operator:
                items.append(NavItem("Espace opérateur", children=tuple(operator)))
    path = getattr(request, "path", "")
    return mark_active(items, path)


def organisation_switcher(request: HttpRequest | None) -> dict:
    """The memberships a person can switch between and the one shown; empty below two organisations."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = active_memberships(user)
    if len(memberships) < 2:
        return {}
    current = current_membership(request)
    return {"memberships": memberships, "current": current, "next": getattr(request, "get_full_path", lambda: "/")()}


def mark_active(items: list[NavItem], path: str) -> list[NavItem]:
    """Mark the one item (or menu) whose URL best matches ``path``: the longest URL that is the path
    itself or, for URLs other than the root, one of its parents. On a tie the first item wins."""
    best_url = ""
    for item in items:
        for url in [item.url, *(child.url for child in item.children)]:
            if url and _matches(url, path) and len(url) > len(best_url):
                best_url = url
    if not best_url:
        return list(items)
    marked, done = [], False
    for item in items:
        if done:
            marked.append(item)
            continue
        if item.children:
            children, child_done = [], False
            for child in item.children:
                is_active = not child_done and child.url == best_url
                child_done = child_done or is_active
                children.append(NavItem(child.label, child.url, is_active))
            if child_done:
                marked.append(NavItem(item.label, item.url, True, tuple(children)))
                done = True
                continue
        if item.url == best_url:
            marked.append(NavItem(item.label, item.url, True, item.children))
            done = True
        else:
            marked.append(item)
    return marked


def _matches(url: str, path: str) -> bool:
    if url == path:
        return True
    return url != "/" and url.endswith("/") and path.startswith(url)
