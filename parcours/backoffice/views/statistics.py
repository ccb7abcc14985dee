"""The operators' statistics: a page of key figures and charts, each chart followed by its table of figures
(RGAA), and the same figures as CSV and XLSX files.

Operator staff see the programmes of the operators they work for; another operator's programme in the URL
is a 404, as any object outside their reach. The filters live in the URL so a page can be shared.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from parcours.audit.services import audit_record
from parcours.backoffice import statistics as figures
from parcours.backoffice.forms_statistics import StatisticsFilterForm
from parcours.backoffice.views.common import breadcrumb_links, operator_staff_required
from parcours.enrollments.enums import SCALE_MAX, SCALE_MIN
from parcours.enrollments.hours import hours_label
from parcours.organisations.permissions import operator_memberships
from parcours.utils.spreadsheets import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from parcours.utils.svg_charts import horizontal_bar_chart, number_label, vertical_bar_chart

EXPORT_FORMATS = ("csv", "xlsx")


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{number_label(count)} {singular if count < 2 else plural}"


def _form(request) -> StatisticsFilterForm:
    form = StatisticsFilterForm(request.GET, programmes=list(figures.statistics_programmes(request.user)))
    if form.unknown_programme:
        raise Http404
    return form


def _key_figures(stats: figures.Statistics) -> list[dict[str, str]]:
    satisfaction = stats.satisfaction
    rate = stats.attendance_rate
    return [
        {
            "label": "Demandes d'inscription",
            "value": number_label(stats.requests),
            "detail": "déposées sur la période",
        },
        {
            "label": "Inscriptions",
            "value": number_label(stats.enrolled),
            "detail": "demandes devenues inscriptions sur la période",
        },
        {
            "label": "Heures suivies",
            "value": f"{hours_label(stats.attended_hours)} h",
            "detail": f"sur {hours_label(stats.planned_hours)} h prévues, "
            f"{_plural(stats.trainees, 'stagiaire', 'stagiaires')} des sessions terminées sur la période",
        },
        {
            "label": "Taux d'assiduité",
            "value": figures.rate_label(rate) if rate is not None else "Non calculable",
            "detail": "des heures prévues" if rate is not None else "aucune heure prévue",
        },
        {
            "label": "Satisfaction",
            "value": figures.average_label(satisfaction.average) if satisfaction.shown else "Non communiqué",
            "detail": figures.satisfaction_detail(satisfaction),
        },
    ]


def _charts(stats: figures.Statistics, tables: dict[str, figures.FigureTable]) -> dict[str, str]:
    period = stats.period.label
    busiest = max(stats.requests_by_month, key=lambda row: row[1], default=None)
    months_summary = (
        f"{_plural(stats.requests, 'demande', 'demandes')} {period}, "
        f"le plus en {figures.month_label(busiest[0])} ({number_label(busiest[1])})."
        if busiest and busiest[1]
        else f"Aucune demande {period}."
    )
    charts = {
        "months": vertical_bar_chart(
            chart_id="graphique-demandes",
            title=tables["months"].title,
            description=f"Diagramme en barres : {months_summary} Le tableau qui suit donne chaque mois.",
            data=[(figures.month_label(month, short=True), count) for month, count in stats.requests_by_month],
            x_label="Mois",
            y_label="Demandes",
        ),
        "decisions": horizontal_bar_chart(
            chart_id="graphique-decisions",
            title=tables["decisions"].title,
            description=f"Diagramme en barres : {_plural(stats.decisions_total, 'décision', 'décisions')} {period}. "
            "Le tableau qui suit donne chaque type.",
            data=tables["decisions"].rows,
            x_label="Nombre de décisions",
            y_label="Décision",
        ),
    }
    satisfaction = stats.satisfaction
    if satisfaction.shown:
        charts["satisfaction"] = vertical_bar_chart(
            chart_id="graphique-satisfaction",
            title=tables["satisfaction"].title,
            description=f"Diagramme en barres : notes de {SCALE_MIN} à {SCALE_MAX} données par "
            f"{_plural(satisfaction.responses, 'réponse', 'réponses')}, moyenne "
            f"{figures.average_label(satisfaction.average)}. Le tableau qui suit donne chaque note.",
            data=[(str(score), count) for score, count in satisfaction.distribution.items()],
            x_label=f"Note (de {SCALE_MIN} à {SCALE_MAX})",
            y_label="Nombre de notes",
        )
    return charts


@require_GET
@operator_staff_required
def statistics_home(request):
    form = _form(request)
    context = {
        "form": form,
        "has_programmes": bool(form.programmes),
        "breadcrumb_links": breadcrumb_links(),
    }
    if form.is_valid():
        stats = figures.statistics_compute(programmes=form.selected_programmes(), period=form.period)
        tables = figures.statistics_tables(stats)
        charts = _charts(stats, tables)
        context |= {
            "stats": stats,
            "scope": figures.scope_label(form.chosen_programme),
            "key_figures": _key_figures(stats),
            "sections": {
                slug: {
                    "table": table,
                    "rows": [(label, number_label(value)) for label, value in table.rows],
                    "chart": charts[slug],
                }
                for slug, table in tables.items()
            },
            "hours_rows": [
                ("Stagiaires des sessions terminées", number_label(stats.trainees)),
                ("Heures prévues", f"{hours_label(stats.planned_hours)} h"),
                ("Heures suivies", f"{hours_label(stats.attended_hours)} h"),
                ("Taux d'assiduité", figures.rate_label(stats.attendance_rate)),
            ],
            "not_shown": figures.not_shown_label(),
            "query": form.query_string(),
        }
    return render(request, "backoffice/statistics/home.html", context)


@require_GET
@operator_staff_required
def statistics_export(request, file_format):
    """The page's figures as a file; invalid filters go back to the page, which explains them."""
    if file_format not in EXPORT_FORMATS:
        raise Http404
    form = _form(request)
    if not form.is_valid():
        return redirect(f"{reverse('statistics:home')}?{request.GET.urlencode()}")
    programme = form.chosen_programme
    stats = figures.statistics_compute(programmes=form.selected_programmes(), period=form.period)
    if file_format == "csv":
        content, content_type = figures.statistics_csv(stats, programme=programme), CSV_CONTENT_TYPE
    else:
        content, content_type = figures.statistics_xlsx(stats, programme=programme), XLSX_CONTENT_TYPE
    operators = {membership.organisation for membership in operator_memberships(request.user)}
    operator = (
        programme.operator if programme is not None else (next(iter(operators)) if len(operators) == 1 else None)
    )
    audit_record(
        event_type="backoffice.statistics_export",
        actor=request.user,
        organisation_id=operator.public_id if operator is not None else None,
        target=programme,
        request=request,
        details={
            "format": file_format,
            "programme": str(programme.public_id) if programme is not None else "",
            "from": form.period.start.isoformat(),
            "to": form.period.end.isoformat(),
        },
    )
    response = HttpResponse(content, content_type=content_type)
    filename = figures.statistics_filename(programme=programme, period=form.period, extension=file_format)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
