"""The employer's yearly recap (enrollments/recap.py has the rules): the page, its PDF and its XLSX.

For the référents and managers of an employer: the organisation shown follows the switcher among those where the
person holds that role (as the employer's dashboard); someone without it gets a 403. The year comes from the URL
(?annee=2026); a year that is not offered is said next to the field and the current year shown instead. Each
download is recorded in the audit log: personal data leaves the platform.
"""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parcours.audit.services import audit_record
from parcours.enrollments import recap
from parcours.enrollments.views.common import manages_employer, membership_for

FORMATS = {"pdf": recap.PDF_CONTENT_TYPE, "xlsx": recap.XLSX_CONTENT_TYPE}


class YearForm(forms.Form):
    annee = forms.TypedChoiceField(
        label="Année",
        coerce=int,
        help_text="Les formations dont la session commence dans l'année.",
        error_messages={
            "invalid_choice": "Choisissez une année de la liste : aucune formation n'est enregistrée pour celle-ci.",
            "required": "Choisissez une année.",
        },
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = [(year, str(year)) for year in years]


def _employer_and_year(request):
    """(employer, year, form): the year asked when it is offered, else the current one with the form's error."""
    employer = membership_for(request, manages_employer).organisation
    today = timezone.localdate()
    years = recap.recap_years(employer, today=today)
    if "annee" not in request.GET:
        return employer, today.year, YearForm(initial={"annee": today.year}, years=years)
    form = YearForm(request.GET, years=years)
    year = form.cleaned_data["annee"] if form.is_valid() else today.year
    return employer, year, form


@require_GET
def page(request):
    employer, year, form = _employer_and_year(request)
    paginator = Paginator(recap.recap_employees(employer, year), recap.EMPLOYEES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    employees = recap.recap_for_employees(employer, year, list(page.object_list))
    totals = recap.recap_totals(employer, year) if paginator.count else recap.YearTotals()
    context = {
        "organisation": employer,
        "year": year,
        "form": form,
        "page": page,
        "employees": employees,
        "totals": totals,
        "query": f"annee={year}",
        "pdf_url": f"{reverse('recap:download', args=['pdf'])}?annee={year}",
        "xlsx_url": f"{reverse('recap:download', args=['xlsx'])}?annee={year}",
        "crumbs": [{"label": "Formations des salariés", "url": reverse("dashboards:employer")}],
    }
    return render(request, "enrollments/recap/page.html", context)


@require_GET
def download(request, file_format):
    if file_format not in FORMATS:
        raise Http404
    employer, year, form = _employer_and_year(request)
    if not form.is_bound or not form.is_valid():
        messages.error(request, "Choisissez une année de la liste pour télécharger le récapitulatif.")
        return redirect(reverse("recap:page"))
    recaps, totals = recap.recap_all(employer, year)
    if file_format == "pdf":
        content = recap.recap_pdf(employer, year, recaps, totals)
    else:
        content = recap.recap_xlsx(employer, year, recaps, totals)
    # Personal data leaves the platform: say who took it.
    audit_record(
        event_type="enrollments.recap_export",
        actor=request.user,
        organisation_id=employer.public_id,
        target=employer,
        request=request,
        details={"format": file_format, "year": year, "rows": totals.enrollments, "employees": totals.employees},
    )
    response = HttpResponse(content, content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="{recap.recap_filename(employer, year, file_format)}"'
    return response
