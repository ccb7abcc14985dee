"""Public pages: home and legal pages. Their text lives in the templates; these views add what
comes from settings."""

import re

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from parcours.web.navigation import signup_entries

# What each kind of user does on the service, as the home page's cards.
AUDIENCES: tuple[dict, ...] = (
    {
        "title": "Stagiaire ou titulaire d’un compte formation",
        "items": (
            "Créez votre compte en quelques minutes.",
            "Suivez votre compte formation : vos droits et votre historique.",
            "Demandez un devis à un organisme de formation.",
            "Suivez vos dossiers, votre rémunération et vos paiements.",
        ),
    },
    {
        "title": "Employeur",
        "items": (
            "Validez les demandes de formation de vos salariés.",
            "Suivez leur participation, leurs présences et les bilans de fin de formation.",
        ),
    },
    {
        "title": "Organisme de formation",
        "items": (
            "Publiez vos actions de formation et leurs sessions.",
            "Répondez aux demandes d’inscription et de devis.",
            "Éditez conventions et convocations.",
            "Faites émarger vos stagiaires et délivrez les attestations.",
        ),
    },
    {
        "title": "Établissement scolaire",
        "items": (
            "Inscrivez vos élèves aux mini-stages proposés par les lycées.",
            "Lycée d’accueil : proposez vos mini-stages aux collèges.",
        ),
    },
    {
        "title": "Gestionnaire",
        "items": (
            "Validez les organisations et les comptes.",
            "Suivez et instruisez les demandes des dispositifs que vous gérez.",
            "Consultez les tableaux de bord et les bilans.",
        ),
    },
)

_CGU_VERSION = re.compile(r"^[0-9A-Za-z._-]+$")


def cgu_version() -> str:
    return getattr(settings, "PARCOURS_CGU_VERSION", "2026-11")


def cgu_template_name(version: str) -> str:
    """The template that holds a version's CGU text: one per version, so an accepted text never changes."""
    if not _CGU_VERSION.match(version):
        raise ValueError(f"invalid CGU version: {version!r}")
    return f"web/cgu/{version}.html"


@login_not_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"audiences": AUDIENCES, "signup_entries": signup_entries()})


@login_not_required
@require_safe
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/legal_notice.html",
        {"publisher": settings.PARCOURS_PUBLISHER, "host": settings.PARCOURS_HOST},
    )


@login_not_required
@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/privacy.html",
        {
            "publisher": settings.PARCOURS_PUBLISHER,
            "host": settings.PARCOURS_HOST,
            # The NIR is collected only where the deployment names a legal basis for it.
            "nir_legal_basis": getattr(settings, "PARCOURS_NIR_LEGAL_BASIS", ""),
        },
    )


@login_not_required
@require_safe
def terms(request: HttpRequest) -> HttpResponse:
    version = cgu_version()
    return render(
        request,
        "web/terms.html",
        {"cgu_version": version, "cgu_template": cgu_template_name(version), "publisher": settings.PARCOURS_PUBLISHER},
    )


@login_not_required
@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html", {"publisher": settings.PARCOURS_PUBLISHER})
