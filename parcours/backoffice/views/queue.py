from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from parcours.backoffice.forms import QueueFilterForm
from parcours.backoffice.selectors import (
    PER_PAGE,
    QUEUE_KIND_LABELS,
    changed_fields_label,
    flagged_accounts,
    queue_counts,
    queue_requests,
)
from parcours.backoffice.views.common import operator_staff_required
from parcours.organisations import permissions
from parcours.organisations.models import RequestKind


def _count_label(count: int) -> str:
    return f"{count} en attente" if count else "Aucune en attente"


@require_GET
@operator_staff_required
def home(request):
    """Counts per kind, then the queue: filters in the URL, oldest first, 25 a page."""
    departments = permissions.operator_departments(request.user)
    form = QueueFilterForm(request.GET or None, departments=departments)
    filters = form.filters()
    page = Paginator(queue_requests(departments=departments, **filters), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.kind_label = QUEUE_KIND_LABELS[row.kind]
        row.changed_fields = changed_fields_label(row) if row.kind == RequestKind.CHANGE else ""
    counts = queue_counts(departments=departments)
    home_url = reverse("backoffice:home")
    tiles = [
        {"label": label, "description": _count_label(counts[kind]), "url": f"{home_url}?type={kind}"}
        for kind, label in QUEUE_KIND_LABELS.items()
    ]
    flagged_count = flagged_accounts().count()
    tiles.append(
        {
            "label": "Comptes à vérifier",
            "description": f"{flagged_count} à vérifier" if flagged_count else "Aucun à vérifier",
            "url": reverse("backoffice:identity_reviews"),
        }
    )
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "tiles": tiles,
        "pending_total": sum(counts.values()),
        "departments": sorted(departments),
    }
    return render(request, "backoffice/home.html", context)
