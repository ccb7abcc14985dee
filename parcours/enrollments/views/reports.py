"""The bilan de l'action's pages (enrollments/reports.py has the rules).

Provider side: the list of bilans to write and sent (the provider's référents and managers; trainers see the
sessions they train, read only) and the bilan's page (its form while it can change). Operator side: the bilans
sent to the operator's programmes, and one bilan with the decision buttons. Someone outside gets a 404 for an
object, a 403 for a list of a role they do not hold; a trainer posting the form gets a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.enrollments import reports, satisfaction
from parcours.enrollments.enums import SessionReportStatus
from parcours.enrollments.forms_reports import (
    ACTION_DRAFT,
    ACTION_SUBMIT,
    ChangesRequestForm,
    OperatorFilterForm,
    ReportForm,
)
from parcours.enrollments.hours import hours_label
from parcours.enrollments.views.common import membership_for, paginate, works_for_provider
from parcours.organisations.current import organisation_follow
from parcours.organisations.permissions import MANAGING_ROLES, operator_memberships
from parcours.workflows.engine import TransitionRefused

R = SessionReportStatus


def figures_display(figures: dict) -> dict:
    """The figures as people read them: "14 h", "87,5 %"."""
    rate = figures["rate"]
    return {
        "trainees": figures["trainees"],
        "planned": f"{hours_label(figures['planned_hours'])} h",
        "attended": f"{hours_label(figures['attended_hours'])} h",
        "rate": f"{hours_label(rate)} %" if rate is not None else "—",
    }


# --- Provider -----------------------------------------------------------------------------------------------


@require_GET
def provider_list(request):
    membership = membership_for(request, works_for_provider)
    organisation = membership.organisation
    manages = membership.role in MANAGING_ROLES
    trainer = None if manages else request.user
    to_write = paginate(
        request,
        reports.provider_report_pairs(organisation, sent=False, trainer=trainer),
        param="page_a_rediger",
        anchor="a-rediger",
    )
    sent = paginate(
        request,
        reports.provider_report_pairs(organisation, sent=True, trainer=trainer),
        param="page_transmis",
        anchor="transmis",
    )
    context = {
        "organisation": organisation,
        "manages": manages,
        "to_write": to_write,
        "to_write_rows": reports.report_rows(to_write.page.object_list),
        "sent": sent,
        "sent_rows": reports.report_rows(sent.page.object_list),
    }
    return render(request, "enrollments/reports/provider_list.html", context)


def _survey_summary(user, session):
    """The session's questionnaire in short, for a link beside the bilan, to whoever may read its results."""
    if not satisfaction.may_see_session_results(user, session):
        return None
    return satisfaction.session_survey_summary(session)


def _edit_render(request, *, session, programme, report, form, writes: bool, status: int = 200):
    ended = reports.session_is_ended(session)
    sent = report is not None and report.status not in reports.EDITABLE
    if sent:
        figures = reports.stored_figures(report)
    else:
        figures = reports.live_figures(reports.report_figures(session=session, programme=programme))
    open_sheet = reports.first_open_sheet(session.pk) if ended and not sent else None
    context = {
        "session": session,
        "action": session.action,
        "programme": programme,
        "report": report,
        "form": form,
        "editable": writes and ended and not sent,
        "writes": writes,
        "ended": ended,
        "sent": sent,
        "figures": figures_display(figures),
        "open_sheet": open_sheet,
        "history": reports.report_history(report) if report is not None else [],
        "not_ended_message": reports.NOT_ENDED,
        "survey_summary": _survey_summary(request.user, session),
        "action_draft": ACTION_DRAFT,
        "action_submit": ACTION_SUBMIT,
        "crumbs": [{"label": "Bilans de l’action", "url": reverse("reports:list")}],
    }
    return render(request, "enrollments/reports/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def edit(request, session_id, programme_id):
    session, programme, report = reports.report_target(request.user, session_id, programme_id)
    organisation_follow(request, session.action.provider)
    writes = reports.writes_report(request.user, session)
    initial = (
        {"results": report.results, "comments": report.comments, "difficulties": report.difficulties}
        if report is not None
        else {}
    )
    if request.method == "GET":
        form = ReportForm(initial=initial)
        return _edit_render(request, session=session, programme=programme, report=report, form=form, writes=writes)
    if not writes:
        raise PermissionDenied
    submitting = request.POST.get("action") == ACTION_SUBMIT
    form = ReportForm(request.POST, submitting=submitting, initial=initial)
    if not form.is_valid():
        return _edit_render(
            request, session=session, programme=programme, report=report, form=form, writes=writes, status=400
        )
    service = reports.report_submit if submitting else reports.report_save
    try:
        saved = service(session=session, programme=programme, actor=request.user, **form.cleaned_data)
    except TransitionRefused as error:
        form.add_error(None, str(error))
        report = reports.report_of(session, programme)
        return _edit_render(
            request, session=session, programme=programme, report=report, form=form, writes=writes, status=400
        )
    if submitting:
        messages.success(
            request,
            f"Le bilan est transmis à {programme.operator.name}. Vous serez prévenu(e) de sa décision.",
        )
        return redirect(reverse("reports:list"))
    messages.success(request, "Le brouillon du bilan est enregistré. Il n’est pas encore transmis à l’opérateur.")
    return redirect(reports.provider_url(saved))


# --- Operator -----------------------------------------------------------------------------------------------


@require_GET
def operator_list(request):
    staff = {membership.pk for membership in operator_memberships(request.user)}
    membership = membership_for(request, lambda m: m.pk in staff)
    organisation = membership.organisation
    form = OperatorFilterForm(request.GET or None)
    status = form.status()
    pager = paginate(request, reports.operator_reports(organisation, status=status))
    counts = reports.operator_counts(organisation)
    url = reverse("reports:operator")
    context = {
        "organisation": organisation,
        "form": form,
        "filtered": bool(status),
        "reports": pager,
        "counts": [
            {"label": R(key).label, "count": count, "url": f"{url}?statut={key}"} for key, count in counts.items()
        ],
    }
    return render(request, "enrollments/reports/operator_list.html", context)


def _review_render(request, report, *, changes_form=None, status: int = 200):
    context = {
        "report": report,
        "session": report.session,
        "action": report.session.action,
        "programme": report.programme,
        "figures": figures_display(reports.stored_figures(report)),
        "history": reports.report_history(report),
        "to_review": report.status == R.SUBMITTED,
        "survey_summary": _survey_summary(request.user, report.session),
        "changes_form": changes_form or ChangesRequestForm(),
        "crumbs": [{"label": "Bilans de l’action reçus", "url": reverse("reports:operator")}],
    }
    return render(request, "enrollments/reports/review.html", context, status=status)


@require_GET
def review(request, report_id):
    report = reports.report_for_review(request.user, report_id)
    return _review_render(request, report)


@require_POST
def accept(request, report_id):
    report = reports.report_for_review(request.user, report_id)
    try:
        reports.report_accept(report=report, actor=request.user, request=request)
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Le bilan est accepté ; {report.provider.name} en est prévenu.")
    return redirect(reports.operator_url(report))


@require_POST
def request_changes(request, report_id):
    report = reports.report_for_review(request.user, report_id)
    form = ChangesRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez les modifications attendues avant de renvoyer le bilan.")
        return _review_render(request, report, changes_form=form, status=400)
    try:
        reports.report_request_changes(
            report=report, actor=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except TransitionRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"La demande de modifications est transmise à {report.provider.name}.")
    return redirect(reports.operator_url(report))
