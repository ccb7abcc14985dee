from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from parcours.accounts.enums import Civility
from parcours.accounts.selectors import user_nir
from parcours.accounts.services.identity_review import IdentityReviewRefused, identity_review_decide, nir_civility
from parcours.backoffice.forms import IdentityDecisionForm
from parcours.backoffice.selectors import PER_PAGE, flagged_account, flagged_accounts
from parcours.backoffice.views.common import breadcrumb_links, operator_staff_required


@require_GET
@operator_staff_required
def identity_reviews(request):
    """Accounts flagged at sign-up or on a profile change; they belong to no territory (docs/decisions/0010)."""
    page = Paginator(flagged_accounts(), PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "breadcrumb_links": breadcrumb_links()}
    return render(request, "backoffice/identity_reviews.html", context)


@require_http_methods(["GET", "POST"])
@operator_staff_required
def identity_review(request, public_id):
    """The declared identity beside what the NIR says of the sex, never the NIR itself."""
    person = flagged_account(public_id=public_id)
    if person is None:
        raise Http404
    nir = user_nir(user=person)
    from_nir = nir_civility(nir) if nir is not None else ""
    # Correcting only makes sense while the civility still disagrees with the NIR.
    correction_label = Civility(from_nir).label if from_nir and from_nir != person.civility else ""
    form = IdentityDecisionForm(
        request.POST if request.method == "POST" else None, civility_from_nir_label=correction_label
    )
    if request.method == "POST" and form.is_valid():
        try:
            identity_review_decide(
                user=person,
                by=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except IdentityReviewRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"La vérification du compte de {person.get_full_name()} est enregistrée. "
                "La personne est prévenue par courriel.",
            )
            return redirect("backoffice:identity_reviews")
    context = {
        "person": person,
        "has_nir": nir is not None,
        "nir_says": {"M": "un homme", "F": "une femme"}.get(nir.sex) if nir is not None else "",
        "form": form,
        "list_url": reverse("backoffice:identity_reviews"),
        "breadcrumb_links": breadcrumb_links(("Comptes à vérifier", reverse("backoffice:identity_reviews"))),
    }
    return render(request, "backoffice/identity_review.html", context)
