"""Asking for a session: the bénéficiaire's request, and an employer's direct enrollment of an employee.

The session must be on the public catalog (published action of an active provider), else 404. Whether it
takes requests today (deadline, start, status, programmes) is said on the page, with the form hidden.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from parcours.catalog.enums import ActionStatus
from parcours.enrollments.forms import EnrollEmployeeForm, RequestForm
from parcours.enrollments.permissions import employers_of, managed_employers
from parcours.enrollments.selectors import session_for_request
from parcours.enrollments.services import (
    EnrollmentRefused,
    enrollment_enroll_employee,
    enrollment_request,
    session_offer,
)


def _crumbs(session) -> list[dict]:
    return [
        {"label": "Catalogue des formations", "url": reverse("catalog:search")},
        {"label": session.action.title, "url": reverse("catalog:action", args=[session.action.public_id])},
    ]


def _public_session(public_id):
    session = session_for_request(public_id)
    action = session.action
    if action.status != ActionStatus.PUBLISHED or not action.provider.is_active:
        raise Http404
    return session


@require_http_methods(["GET", "POST"])
def request_create(request, session_id):
    session = _public_session(session_id)
    employers = employers_of(request.user)
    offer = session_offer(session, for_employee=True)
    form = None
    if employers and not offer.problem:
        form = RequestForm(
            request.POST if request.method == "POST" else None, employers=employers, programmes=offer.programmes
        )
        if request.method == "POST" and form.is_valid():
            try:
                enrollment = enrollment_request(
                    session=session,
                    beneficiary=request.user,
                    employer=form.employer(),
                    programme=form.programme(),
                    expectations=form.cleaned_data["expectations"],
                    request=request,
                )
            except EnrollmentRefused as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _sent_message(enrollment))
                return redirect("enrollments:detail", public_id=enrollment.public_id)
    context = {
        "session": session,
        "form": form,
        "offer": offer,
        "employers": employers,
        # An employer's référent or manager may rather enroll one of their employees.
        "may_enroll_employees": bool(managed_employers(request.user)),
        "crumbs": _crumbs(session),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "enrollments/request.html", context, status=status)


def _sent_message(enrollment) -> str:
    if enrollment.state == "pending_employer":
        return "Votre demande est envoyée : votre employeur est prévenu et va l'examiner."
    if enrollment.state == "pending_provider":
        return "Votre demande est envoyée : l'organisme de formation est prévenu et va l'examiner."
    if enrollment.state == "enrolled":
        return "Vous êtes inscrit(e) à cette session."
    return "La session est complète : votre demande est sur liste d'attente."


@require_http_methods(["GET", "POST"])
def enroll_employee(request, session_id):
    session = _public_session(session_id)
    employers = managed_employers(request.user)
    if not employers:
        raise PermissionDenied
    offer = session_offer(session, for_employee=False)
    form = None
    if not offer.problem:
        form = EnrollEmployeeForm(
            request.POST if request.method == "POST" else None, employers=employers, programmes=offer.programmes
        )
        if request.method == "POST" and form.is_valid():
            membership = form.cleaned_data["employee"]
            try:
                enrollment = enrollment_enroll_employee(
                    session=session,
                    employer=membership.organisation,
                    employee=membership.user,
                    programme=form.programme(),
                    actor=request.user,
                    expectations=form.cleaned_data["expectations"],
                    request=request,
                )
            except EnrollmentRefused as error:
                form.add_error(None, str(error))
            else:
                name = membership.user.get_full_name()
                if enrollment.state == "pending_provider":
                    done = f"{name} est inscrit(e) sous réserve de la validation de l'organisme de formation"
                else:
                    done = f"La demande pour {name} est enregistrée"
                messages.success(request, f"{done} : un courriel l'en informe.")
                return redirect("enrollments:detail", public_id=enrollment.public_id)
    context = {"session": session, "form": form, "offer": offer, "crumbs": _crumbs(session)}
    status = 400 if form is not None and form.errors else 200
    return render(request, "enrollments/enroll_employee.html", context, status=status)
