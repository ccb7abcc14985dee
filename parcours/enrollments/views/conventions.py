"""Convention pages: a session's buyers and their conventions (the provider), a convention with its versions and
signatures (both parties), signing in the browser, and the signed scan.

Who is not a party's référent or manager gets a 404 on every page; a party's action beyond its role (the buyer
uploading the scan) a 403. A refused action says why and changes nothing.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.catalog.models import Programme
from parcours.documents.uploads import UploadRefused
from parcours.enrollments import conventions
from parcours.enrollments.conventions import ConventionRefused
from parcours.enrollments.enums import ConventionParty, ConventionStatus
from parcours.enrollments.forms_conventions import IssueForm, OfflineForm, SignForm
from parcours.organisations.models import Organisation

PAGE_SIZE = 20
PARTY_LABELS = dict(ConventionParty.choices)


def _session_crumbs(session) -> list[dict]:
    return [
        {"label": "Mon offre de formation", "url": reverse("catalog_manage:actions")},
        {
            "label": session.action.title,
            "url": reverse("catalog_manage:action_detail", args=[session.action.public_id]),
        },
        {"label": "Session", "url": reverse("catalog_manage:session_detail", args=[session.public_id])},
    ]


@require_GET
def convention_list(request):
    page = Paginator(conventions.conventions_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enrollments/conventions/list.html", {"page": page})


@require_GET
def session(request, public_id):
    session = conventions.session_managed(request.user, public_id)
    found = conventions.session_conventions(session)
    return render(
        request,
        "enrollments/conventions/session.html",
        {
            "session": session,
            "action": session.action,
            "rows": found.rows,
            "without_buyer": found.without_buyer,
            "crumbs": _session_crumbs(session),
        },
    )


@require_POST
def issue(request, public_id):
    session = conventions.session_managed(request.user, public_id)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez l'acheteur dont la convention est à émettre.")
        return redirect("conventions:session", public_id=session.public_id)
    programme = get_object_or_404(
        Programme.objects.select_related("operator"), public_id=form.cleaned_data["programme"]
    )
    buyer = get_object_or_404(Organisation, public_id=form.cleaned_data["buyer"])
    try:
        issued = conventions.convention_issue(
            session=session, programme=programme, buyer=buyer, actor=request.user, request=request
        )
    except ConventionRefused as error:
        messages.error(request, str(error))
        return redirect("conventions:session", public_id=session.public_id)
    if issued.new_version:
        messages.success(
            request,
            f"La convention est émise (version {issued.document.version}) : l'acheteur est invité à la signer.",
        )
    else:
        messages.info(
            request, f"La convention est déjà à jour (version {issued.document.version}) : rien n'a changé depuis."
        )
    return redirect("conventions:detail", public_id=issued.convention.public_id)


def _render_detail(request, convention, *, failed_party: str = "", failed_form=None, status: int = 200):
    user = request.user
    parties = conventions.parties_of(user, convention)
    versions = conventions.convention_versions(convention)
    latest = versions[0] if versions else None
    signed_parties = {signature.party for signature in latest.signatures.all()} if latest else set()
    sign_forms = []
    if latest is not None and convention.status == ConventionStatus.ISSUED:
        for party in parties:
            if party in signed_parties:
                continue
            form = (
                failed_form
                if party == failed_party
                else SignForm(prefix=party, initial={"document": latest.public_id})
            )
            sign_forms.append({"party": party, "label": PARTY_LABELS[party], "form": form})
    provider_staff = ConventionParty.PROVIDER in parties
    context = {
        "convention": convention,
        "session": convention.session,
        "action": convention.session.action,
        "versions": versions,
        "latest": latest,
        "scans": conventions.convention_scans(convention),
        "sign_forms": sign_forms,
        "signed_parties": signed_parties,
        "party_labels": PARTY_LABELS,
        "provider_staff": provider_staff,
        "may_upload": provider_staff and latest is not None and convention.status == ConventionStatus.ISSUED,
        "crumbs": _session_crumbs(convention.session)
        if provider_staff
        else [{"label": "Conventions de formation", "url": reverse("conventions:list")}],
    }
    return render(request, "enrollments/conventions/detail.html", context, status=status)


@require_GET
def detail(request, public_id):
    return _render_detail(request, conventions.convention_visible(request.user, public_id))


@require_POST
def sign(request, public_id):
    convention = conventions.convention_visible(request.user, public_id)
    party = request.POST.get("party", "")
    if party not in conventions.parties_of(request.user, convention):
        messages.error(request, "Vous ne pouvez pas signer cette convention pour cette partie.")
        return redirect("conventions:detail", public_id=convention.public_id)
    form = SignForm(request.POST, prefix=party)
    if not form.is_valid():
        return _render_detail(request, convention, failed_party=party, failed_form=form, status=400)
    try:
        conventions.convention_sign(
            convention=convention,
            document_id=form.cleaned_data["document"],
            party=party,
            actor=request.user,
            signer_name=form.cleaned_data["signer_name"],
            consent=form.cleaned_data["consent"],
            request=request,
        )
    except ConventionRefused as error:
        messages.error(request, str(error))
    else:
        convention.refresh_from_db(fields=["status"])
        if convention.status == ConventionStatus.SIGNED:
            messages.success(
                request, "Votre signature est enregistrée : la convention est signée par les deux parties."
            )
        else:
            messages.success(request, "Votre signature est enregistrée : l'autre partie est invitée à signer.")
    return redirect("conventions:detail", public_id=convention.public_id)


@require_http_methods(["GET", "POST"])
def offline(request, public_id):
    convention = conventions.convention_visible(request.user, public_id)
    if not conventions.is_provider_staff(request.user, convention):
        raise PermissionDenied
    megabytes = settings.PARCOURS_UPLOAD_MAX_BYTES // (1024 * 1024)
    if request.method == "POST":
        form = OfflineForm(request.POST, request.FILES, max_megabytes=megabytes)
    else:
        form = OfflineForm(max_megabytes=megabytes)
    if request.method == "POST" and form.is_valid():
        try:
            conventions.convention_mark_signed_offline(
                convention=convention, actor=request.user, uploaded=form.cleaned_data["scan"], request=request
            )
        except UploadRefused as error:
            form.add_error("scan", str(error))
        except ConventionRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "La convention est marquée comme signée hors de la plateforme ; le scan est déposé."
            )
            return redirect("conventions:detail", public_id=convention.public_id)
    return render(
        request,
        "enrollments/conventions/offline.html",
        {
            "convention": convention,
            "form": form,
            "latest": conventions.convention_latest(convention),
            "crumbs": [
                *_session_crumbs(convention.session),
                {"label": "Convention", "url": reverse("conventions:detail", args=[convention.public_id])},
            ],
        },
        status=400 if form.is_bound else 200,
    )
