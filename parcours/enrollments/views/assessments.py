"""Assessments and end-of-training documents of a session (enrollments/assessments.py has the rules).

The session's page and the assessment form: its trainers and the provider's référents and managers; anyone else
gets a 404. Issuing documents: the provider's référents and managers; a trainer gets a 403. The trainee's page
(results and documents): everyone who may see the enrollment.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.enrollments import assessments, permissions
from parcours.enrollments.assessments import AssessmentRefused
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.forms_assessments import AssessmentForm
from parcours.enrollments.selectors import enrollment_visible
from parcours.organisations.permissions import can_manage

KIND_SLUGS = {"attestations": assessments.KIND_ATTESTATION, "certificats": assessments.KIND_CERTIFICATE}
DOCUMENT_LABELS = {
    assessments.KIND_ATTESTATION: "l'attestation de fin de formation",
    assessments.KIND_CERTIFICATE: "le certificat de réalisation",
}


def _session_url(session) -> str:
    return reverse("assessments:session", args=[session.public_id])


def _crumbs(user, session) -> list[dict]:
    if not can_manage(user, session.action.provider):
        return []  # a trainer has no provider dashboard
    return [
        {"label": "Demandes d’inscription", "url": reverse("dashboards:provider")},
        {"label": session.action.title, "url": reverse("dashboards:provider_session", args=[session.public_id])},
    ]


@require_GET
def session(request, session_id):
    session = assessments.session_for_assessments(request.user, session_id)
    page = Paginator(assessments.session_enrollments(session), assessments.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "session": session,
        "action": session.action,
        "page": page,
        "rows": assessments.session_trainees(session, list(page.object_list)),
        "objectives": assessments.objectives_split(session.action.objectives),
        "may_issue": assessments.may_issue(request.user, session),
        "ended": assessments.session_ended(session),
        "crumbs": _crumbs(request.user, session),
    }
    return render(request, "enrollments/assessments/session.html", context)


def _assess_render(request, enrollment, form, *, status=200):
    session = enrollment.session
    context = {
        "enrollment": enrollment,
        "session": session,
        "action": session.action,
        "form": form,
        "assessment": assessments.assessment_of(enrollment),
        "crumbs": [*_crumbs(request.user, session), {"label": "Évaluation des acquis", "url": _session_url(session)}],
    }
    return render(request, "enrollments/assessments/assess.html", context, status=status)


@require_http_methods(["GET", "POST"])
def assess(request, enrollment_id):
    enrollment = assessments.enrollment_for_assessment(request.user, enrollment_id)
    objectives = assessments.objectives_split(enrollment.session.action.objectives)
    current = assessments.assessment_of(enrollment)
    initial_results = {result.objective: result.result for result in current.results.all()} if current else {}
    initial = {"comment": current.comment} if current else {}
    if request.method == "GET":
        if enrollment.state != EnrollmentState.ENROLLED:
            messages.error(
                request,
                assessments.ASSESS_CANCELLED
                if enrollment.state == EnrollmentState.CANCELLED
                else assessments.ASSESS_NOT_ENROLLED,
            )
            return redirect(_session_url(enrollment.session))
        form = AssessmentForm(objectives=objectives, initial_results=initial_results, initial=initial)
        return _assess_render(request, enrollment, form)
    form = AssessmentForm(request.POST, objectives=objectives, initial_results=initial_results, initial=initial)
    if not form.is_valid():
        return _assess_render(request, enrollment, form, status=400)
    try:
        assessments.assessment_record(
            enrollment=enrollment,
            actor=request.user,
            results=form.results(),
            comment=form.cleaned_data["comment"],
            request=request,
        )
    except AssessmentRefused as error:
        form.add_error(None, str(error))
        return _assess_render(request, enrollment, form, status=400)
    messages.success(
        request,
        f"L'évaluation de {enrollment.beneficiary.get_full_name()} est enregistrée. "
        "Si une attestation a déjà été émise, émettez-la de nouveau pour qu'elle en tienne compte.",
    )
    return redirect(_session_url(enrollment.session))


def _issue(request, enrollment_id, kind):
    enrollment = assessments.enrollment_for_assessment(request.user, enrollment_id)
    issue = assessments.attestation_issue if kind == assessments.KIND_ATTESTATION else assessments.certificate_issue
    try:
        document, new = issue(enrollment=enrollment, actor=request.user, request=request)
    except AssessmentRefused as error:
        messages.error(request, str(error))
    else:
        name = enrollment.beneficiary.get_full_name()
        label = DOCUMENT_LABELS[kind]
        if not new:
            messages.info(
                request, f"Rien n'a changé depuis la version {document.version} : {label} de {name} est à jour."
            )
        elif kind == assessments.KIND_ATTESTATION:
            messages.success(
                request,
                f"{label.capitalize()} de {name} est émise (version {document.version}) ; la personne est prévenue.",
            )
        else:
            messages.success(request, f"{label.capitalize()} de {name} est émis (version {document.version}).")
    return redirect(_session_url(enrollment.session))


@require_POST
def attestation_issue(request, enrollment_id):
    return _issue(request, enrollment_id, assessments.KIND_ATTESTATION)


@require_POST
def certificate_issue(request, enrollment_id):
    return _issue(request, enrollment_id, assessments.KIND_CERTIFICATE)


@require_POST
def issue_all(request, session_id, kind_slug):
    session = assessments.session_for_assessments(request.user, session_id)
    kind = KIND_SLUGS[kind_slug]
    try:
        outcome = assessments.documents_issue_all(session=session, kind=kind, actor=request.user, request=request)
    except AssessmentRefused as error:
        messages.error(request, str(error))
        return redirect(_session_url(session))
    if kind == assessments.KIND_ATTESTATION:
        issued, unchanged = "Attestations émises ou mises à jour", "Attestations déjà à jour"
    else:
        issued, unchanged = "Certificats de réalisation émis ou mis à jour", "Certificats de réalisation déjà à jour"
    if outcome.issued:
        messages.success(request, f"{issued} : {outcome.issued}.")
    if outcome.unchanged:
        messages.info(request, f"{unchanged} : {outcome.unchanged}.")
    for name, why in outcome.refused:
        messages.error(request, f"{name} : {why}")
    if not (outcome.issued or outcome.unchanged or outcome.refused):
        if kind == assessments.KIND_ATTESTATION:
            messages.error(request, "Aucune personne inscrite n'est évaluée : évaluez les acquis d'abord.")
        else:
            messages.error(request, "Aucune personne n'est inscrite à cette session.")
    return redirect(_session_url(session))


@require_GET
def enrollment(request, enrollment_id):
    """The results and documents of one enrollment, for everyone who may see it (the trainee first)."""
    enrollment = enrollment_visible(request.user, enrollment_id)
    documents = assessments.latest_documents([enrollment.public_id])
    context = {
        "enrollment": enrollment,
        "session": enrollment.session,
        "action": enrollment.session.action,
        "assessment": assessments.assessment_of(enrollment),
        "attestation": documents.get((enrollment.public_id, assessments.KIND_ATTESTATION)),
        "certificate": documents.get((enrollment.public_id, assessments.KIND_CERTIFICATE)),
        "assesses": assessments.may_assess(request.user, enrollment.session),
        "crumbs": [
            {"label": "Demande d’inscription", "url": reverse("enrollments:detail", args=[enrollment.public_id])}
        ],
        "is_beneficiary": permissions.is_beneficiary(request.user, enrollment),
    }
    return render(request, "enrollments/assessments/enrollment.html", context)
