"""Attendance pages (émargement): the trainer's space and sheets, the trainee's signature and presence, the
employer's view of its employees' presence.

A sheet, a row or a session the person does not run answers 404 (nothing leaks by id); the trainer's space and the
employer's view answer 403 to people without the role. Every change is a POST; a refused change leaves a clear
message and changes nothing.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.documents.registry import document_party
from parcours.enrollments import attendance
from parcours.enrollments.enums import AttendanceStatus, EnrollmentState
from parcours.enrollments.forms_attendance import CloseForm, CodeSignForm, SignHereForm, StatusForm
from parcours.enrollments.permissions import managed_employers
from parcours.enrollments.views.common import paginate
from parcours.organisations.current import current_organisation

SESSIONS_PER_PAGE = 10
RECORDS_PER_PAGE = 50


def _home_crumb() -> dict:
    return {"label": "Émargement", "url": reverse("attendance:home")}


def _slot_rows(session, today) -> list[dict]:
    """Each half-day of a session with what can be done with its sheet."""
    rows = []
    for slot in session.slots.all():
        sheet = getattr(slot, "attendance_sheet", None)
        rows.append(
            {
                "slot": slot,
                "sheet": sheet,
                "started": attendance.slot_started(slot, today=today),
                "may_open": sheet is None
                and session.status != "cancelled"
                and attendance.slot_started(slot, today=today),
            }
        )
    return rows


# --- The trainer's space --------------------------------------------------------------------------------------


@require_GET
def home(request):
    if not attendance.may_run_any(request.user):
        raise PermissionDenied
    pager = paginate(request, attendance.attendance_sessions(request.user), per_page=SESSIONS_PER_PAGE)
    today = timezone.localdate()
    sessions = [{"session": session, "slots": _slot_rows(session, today)} for session in pager.page.object_list]
    return render(request, "enrollments/attendance/home.html", {"sessions": sessions, "pager": pager})


@require_GET
def session_detail(request, public_id):
    session = attendance.session_run(request.user, public_id)
    context = {
        "session": session,
        "slots": _slot_rows(session, timezone.localdate()),
        "crumbs": [_home_crumb()],
    }
    return render(request, "enrollments/attendance/session.html", context)


@require_POST
def slot_open(request, public_id):
    slot = attendance.slot_run(request.user, public_id)
    try:
        sheet = attendance.sheet_open(slot=slot, actor=request.user, request=request)
    except attendance.AttendanceRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("attendance:session", public_id=slot.session.public_id)
    return redirect("attendance:sheet", public_id=sheet.public_id)


def _render_sheet(request, sheet, *, failed_record=None, failed_form=None, close_form=None, code=None, status=200):
    records = attendance.sheet_records(sheet)
    rows = []
    for record in records:
        if failed_record is not None and record.pk == failed_record.pk:
            form = failed_form
        else:
            form = SignHereForm(prefix=f"signer-{record.public_id}")
        rows.append(
            {
                "record": record,
                "enrolled": record.enrollment.state == EnrollmentState.ENROLLED,
                "may_sign_here": record.status == AttendanceStatus.PRESENT and record.signed_at is None,
                "sign_form": form,
            }
        )
    session = sheet.slot.session
    context = {
        "sheet": sheet,
        "slot": sheet.slot,
        "session": session,
        "rows": rows,
        "statuses": [(value, label) for value, label in AttendanceStatus.choices if value],
        "close_form": close_form or CloseForm(initial={"trainer_name": request.user.get_full_name()}),
        "code": code,
        "unanswered": sum(1 for row in rows if row["enrolled"] and not row["record"].status),
        "cancelled": session.status == "cancelled",
        "crumbs": [
            _home_crumb(),
            {"label": session.action.title, "url": reverse("attendance:session", args=[session.public_id])},
        ],
    }
    return render(request, "enrollments/attendance/sheet.html", context, status=status)


@require_GET
def sheet_detail(request, public_id):
    sheet = attendance.sheet_run(request.user, public_id)
    return _render_sheet(request, sheet)


def _back_to_sheet(record_or_sheet):
    sheet = getattr(record_or_sheet, "sheet", record_or_sheet)
    return redirect("attendance:sheet", public_id=sheet.public_id)


@require_POST
def record_status(request, public_id):
    record = attendance.record_run(request.user, public_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez présent, absent ou absent excusé.")
        return _back_to_sheet(record)
    try:
        attendance.record_status_set(
            record=record, status=form.cleaned_data["status"], actor=request.user, request=request
        )
    except attendance.AttendanceRefused as refusal:
        messages.error(request, str(refusal))
    return redirect(f"{reverse('attendance:sheet', args=[record.sheet.public_id])}#ligne-{record.public_id}")


@require_POST
def record_sign_here(request, public_id):
    record = attendance.record_run(request.user, public_id)
    form = SignHereForm(request.POST, prefix=f"signer-{record.public_id}")
    if not form.is_valid():
        if record.sheet.is_closed:
            messages.error(request, attendance.SHEET_CLOSED)
            return _back_to_sheet(record)
        return _render_sheet(request, record.sheet, failed_record=record, failed_form=form, status=400)
    try:
        attendance.record_sign_here(
            record=record,
            signer_name=form.cleaned_data["signer_name"],
            consent=form.cleaned_data["consent"],
            actor=request.user,
            request=request,
        )
    except attendance.AttendanceRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, f"La présence de {form.cleaned_data['signer_name']} est signée.")
    return _back_to_sheet(record)


@require_POST
def sheet_code(request, public_id):
    """Shows the new code on this answer only (it is stored hashed): no redirect."""
    sheet = attendance.sheet_run(request.user, public_id)
    try:
        code = attendance.sheet_code_issue(sheet=sheet, actor=request.user, request=request)
    except attendance.AttendanceRefused as refusal:
        messages.error(request, str(refusal))
        return _back_to_sheet(sheet)
    return _render_sheet(request, sheet, code=code)


@require_POST
def sheet_close(request, public_id):
    sheet = attendance.sheet_run(request.user, public_id)
    form = CloseForm(request.POST)
    if not form.is_valid():
        if sheet.is_closed:
            messages.error(request, attendance.SHEET_CLOSED)
            return _back_to_sheet(sheet)
        return _render_sheet(request, sheet, close_form=form, status=400)
    try:
        attendance.sheet_close(
            sheet=sheet,
            trainer_name=form.cleaned_data["trainer_name"],
            consent=form.cleaned_data["consent"],
            actor=request.user,
            request=request,
        )
    except attendance.AttendanceRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "La feuille est signée et close : elle ne peut plus être modifiée.")
    return _back_to_sheet(sheet)


@require_GET
def session_pdf(request, public_id):
    """The session's attendance PDF, brought up to date, then served by the documents app (which records it)."""
    session = attendance.session_for_pdf(public_id)
    if not document_party(request.user, attendance.SUBJECT_TYPE, session.public_id):
        raise Http404
    document = attendance.attendance_pdf(session, by=request.user)
    return redirect("documents:download", public_id=document.public_id)


# --- The trainee ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign(request, public_id):
    """ "Signer ma présence": the trainee's own device, with the code the trainer's screen shows."""
    record = attendance.trainee_record(request.user, public_id)
    form = CodeSignForm(request.POST or None)
    refusal = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                attendance.record_sign_with_code(
                    record=record,
                    code=form.cleaned_data["code"],
                    consent=form.cleaned_data["consent"],
                    user=request.user,
                    request=request,
                )
            except attendance.AttendanceRefused as error:
                refusal = str(error)
            else:
                messages.success(request, "Votre présence est signée. Merci !")
                return redirect("attendance:mine")
        status = 400
        record.refresh_from_db()
        record.sheet.refresh_from_db()
    blocked = ""
    if record.sheet.is_closed:
        blocked = attendance.SHEET_CLOSED
    elif record.sheet.slot.session.status == "cancelled":
        blocked = attendance.SESSION_CANCELLED
    elif record.enrollment.state != EnrollmentState.ENROLLED:
        blocked = attendance.TRAINEE_NOT_ENROLLED
    elif record.signed_at is not None and not refusal:
        blocked = attendance.ALREADY_SIGNED
    context = {
        "record": record,
        "sheet": record.sheet,
        "slot": record.sheet.slot,
        "session": record.sheet.slot.session,
        "form": form,
        "refusal": refusal,
        "blocked": blocked,
        "crumbs": [{"label": "Ma présence en formation", "url": reverse("attendance:mine")}],
    }
    return render(request, "enrollments/attendance/sign.html", context, status=status)


@require_GET
def mine(request):
    pager = paginate(request, attendance.trainee_records(request.user), per_page=RECORDS_PER_PAGE)
    context = {"pager": pager, "to_sign": attendance.records_to_sign(request.user)}
    return render(request, "enrollments/attendance/mine.html", context)


# --- The employer ---------------------------------------------------------------------------------------------


@require_GET
def employer(request):
    """The presence of the employees of the employer the switcher shows (or the first one the person manages)."""
    employers = managed_employers(request.user)
    if not employers:
        raise PermissionDenied
    current = current_organisation(request)
    organisation = next((e for e in employers if current is not None and e.pk == current.pk), employers[0])
    pager = paginate(request, attendance.employer_records(organisation), per_page=RECORDS_PER_PAGE)
    return render(request, "enrollments/attendance/employer.html", {"organisation": organisation, "pager": pager})
