"""Attendance (émargement) per half-day (RULES.md, "Feuilles d'émargement"): who runs a sheet, the reads, the
changes, the PDF per session, and `hours_attended` for the certificates.

A trainer of the session (or the provider's référents and managers) opens the sheet of a slot that has begun:
one record per enrolled person. Each trainee is marked present, absent or excused and signs, either on the
trainer's device (typed name and consent) or on their own with a one-time code the sheet shows. The trainer signs
and closes the sheet: it is locked, every later change is refused.

One-time code: one 6-digit code per sheet, shown on the trainer's screen. It is stored hashed PER RECORD (an HMAC
keyed by SECRET_KEY and salted with the record's public id, so equal codes never give equal hashes), with its expiry
(PARCOURS_ATTENDANCE_CODE_MINUTES) and the trainee's wrong attempts (at most CODE_MAX_ATTEMPTS). The plain code is
never stored: the page answering "Afficher un code" is the only place it appears; a new code replaces the old one
and gives everyone their attempts back.
"""

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import dateformat, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac

from parcours.audit.services import audit_record
from parcours.catalog.enums import SessionStatus
from parcours.catalog.models import Session, Slot
from parcours.documents.models import Document
from parcours.documents.registry import document_parties_register
from parcours.documents.services import document_generate
from parcours.enrollments.enums import AttendanceStatus, EnrollmentState, SignatureMethod
from parcours.enrollments.models import AttendanceRecord, AttendanceSheet, Enrollment
from parcours.organisations.models import Role
from parcours.organisations.permissions import active_memberships, can_manage, membership_of, operator_memberships
from parcours.utils.http import client_ip

SUBJECT_TYPE = "enrollments.attendance_session"
DOCUMENT_KIND = "attendance_sheet"
DOCUMENT_TEMPLATE = "documents/attendance_sheet.html"
CODE_DIGITS = 6
CODE_MAX_ATTEMPTS = 5
# A trainer signs for the provider: trainers, managers and référents of the provider may be a session's trainers.
TRAINING_ROLES = frozenset({Role.TRAINER, Role.MANAGER, Role.REFERENT})
MANAGING_ROLES = frozenset({Role.REFERENT, Role.MANAGER})

TRAINEE_CONSENT = "Je certifie avoir été présent(e) à cette demi-journée de formation."
TRAINER_CONSENT = "Je certifie l'exactitude de cette feuille d'émargement."

SHEET_CLOSED = "Cette feuille d'émargement est close : plus aucune modification n'est possible."
SESSION_CANCELLED = "Cette session est annulée : il n'y a pas d'émargement."
SLOT_NOT_STARTED = "Cette demi-journée n'a pas encore eu lieu : la feuille s'ouvre le jour même."
NOBODY_ENROLLED = "Personne n'est inscrit à cette session : il n'y a rien à émarger."
ALREADY_SIGNED = "Cette présence est déjà signée : une seconde signature n'est pas possible."
SIGNED_STAYS_PRESENT = "Cette personne a signé sa présence : elle ne peut plus être marquée absente."
NOT_ENROLLED = "Cette personne n'est plus inscrite à la session : sa présence ne peut pas être modifiée."
TRAINEE_NOT_ENROLLED = "Votre inscription à cette session n'est plus active : vous ne pouvez pas signer."
MARK_PRESENT_FIRST = "Marquez d'abord la personne présente pour la faire signer."
NAME_REQUIRED = "Saisissez le nom et le prénom de la personne qui signe."
CONSENT_REQUIRED = "Cochez la case pour certifier la présence."
CODE_EXPIRED = "Ce code a expiré ou n'a pas encore été donné : demandez un nouveau code au formateur."
CODE_BLOCKED = "Trop d'essais incorrects : demandez un nouveau code au formateur."
CLOSE_INCOMPLETE = "Indiquez la présence de chaque stagiaire avant de clore la feuille ({count} sans réponse)."


class AttendanceRefused(Exception):
    """The change cannot happen; the message is for the person, in French. Nothing was changed (except a wrong
    code's attempt, which is counted)."""


# --- Who runs a sheet -----------------------------------------------------------------------------------------


def trains(user, session: Session) -> bool:
    """One of the session's trainers, still an active trainer, manager or référent of its provider."""
    if not getattr(user, "is_authenticated", False):
        return False
    membership = membership_of(user, session.action.provider)
    if membership is None or membership.role not in TRAINING_ROLES:
        return False
    return session.trainers.filter(pk=user.pk).exists()


def runs_attendance(user, session: Session) -> bool:
    """Opens, fills and closes the session's sheets: its trainers and the provider's référents and managers."""
    return can_manage(user, session.action.provider) or trains(user, session)


def attendance_session_party(user, subject_id: UUID) -> bool:
    """Who may download a session's attendance PDF: the provider's staff, the session's trainers, and the staff of
    the operators of the programmes of the session's enrollments. Not the employers: the sheet names everyone."""
    session = Session.objects.select_related("action__provider").filter(public_id=subject_id).first()
    if session is None:
        return False
    if runs_attendance(user, session):
        return True
    operators = [membership.organisation_id for membership in operator_memberships(user)]
    return bool(operators) and session.enrollments.filter(programme__operator_id__in=operators).exists()


def register() -> None:
    """Called once at startup (EnrollmentsConfig.ready)."""
    document_parties_register(SUBJECT_TYPE, attendance_session_party)


# --- Reads ----------------------------------------------------------------------------------------------------


def slot_started(slot: Slot, *, today: datetime.date | None = None) -> bool:
    return slot.date <= (today or timezone.localdate())


def attendance_sessions(user) -> QuerySet:
    """The sessions whose sheets the person runs: the ones they train, and every session of the providers they
    manage; most recent first, each with its slots and their sheets (two queries a page)."""
    trained = [m.organisation_id for m in active_memberships(user) if m.role in TRAINING_ROLES]
    managed = [m.organisation_id for m in active_memberships(user) if m.role in MANAGING_ROLES]
    condition = Q(action__provider_id__in=managed)
    if trained:
        condition |= Q(action__provider_id__in=trained, pk__in=Session.objects.filter(trainers=user).values("pk"))
    return (
        Session.objects.filter(condition)
        .select_related("action__provider")
        .prefetch_related(Prefetch("slots", queryset=Slot.objects.select_related("attendance_sheet")))
        .order_by("-starts_on", "-pk")
    )


def may_run_any(user) -> bool:
    """A trainer, manager or référent of a provider: the trainer's space is theirs (empty or not)."""
    return any(
        membership.role in TRAINING_ROLES and membership.organisation.is_provider
        for membership in active_memberships(user)
    )


def session_run(user, public_id) -> Session:
    """A session with its slots and sheets, for the person running its attendance; else 404."""
    session = get_object_or_404(
        Session.objects.select_related("action__provider").prefetch_related(
            Prefetch("slots", queryset=Slot.objects.select_related("attendance_sheet"))
        ),
        public_id=public_id,
    )
    if not runs_attendance(user, session):
        raise Http404
    return session


def session_for_pdf(public_id) -> Session:
    """The session whose PDF is asked for; the caller checks the person is a party of it."""
    return get_object_or_404(Session.objects.select_related("action__provider__provider_profile"), public_id=public_id)


def slot_run(user, public_id) -> Slot:
    slot = get_object_or_404(Slot.objects.select_related("session__action__provider"), public_id=public_id)
    if not runs_attendance(user, slot.session):
        raise Http404
    return slot


def sheet_run(user, public_id) -> AttendanceSheet:
    sheet = get_object_or_404(
        AttendanceSheet.objects.select_related("slot__session__action__provider", "closed_by", "opened_by"),
        public_id=public_id,
    )
    if not runs_attendance(user, sheet.slot.session):
        raise Http404
    return sheet


def record_run(user, public_id) -> AttendanceRecord:
    record = get_object_or_404(
        AttendanceRecord.objects.select_related("sheet__slot__session__action__provider", "enrollment"),
        public_id=public_id,
    )
    if not runs_attendance(user, record.sheet.slot.session):
        raise Http404
    return record


def sheet_records(sheet: AttendanceSheet) -> list[AttendanceRecord]:
    """The sheet's rows by name (a session's trainees: tens at most)."""
    return list(
        AttendanceRecord.objects.filter(sheet=sheet)
        .select_related("enrollment__beneficiary", "enrollment__employer")
        .order_by("enrollment__beneficiary__last_name", "enrollment__beneficiary__first_name", "pk")
    )


def trainee_record(user, sheet_public_id) -> AttendanceRecord:
    """The person's own row on a sheet (the own-device signature); 404 when they have none."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    record = (
        AttendanceRecord.objects.filter(sheet__public_id=sheet_public_id, enrollment__beneficiary=user)
        .select_related("sheet__slot__session__action__provider", "enrollment")
        .first()
    )
    if record is None:
        raise Http404
    return record


def trainee_records(user) -> QuerySet:
    """The person's presence, most recent half-day first (paginate)."""
    return (
        AttendanceRecord.objects.filter(enrollment__beneficiary=user)
        .select_related("sheet__slot__session__action__provider")
        .order_by("-sheet__slot__date", "-sheet__slot__starts_at", "pk")
    )


def records_to_sign(user, *, enrollment: Enrollment | None = None) -> list[AttendanceRecord]:
    """The open sheets waiting for the person's own signature (the "Signer ma présence" links); a handful."""
    if not getattr(user, "is_authenticated", False):
        return []
    records = AttendanceRecord.objects.filter(
        enrollment__beneficiary=user,
        enrollment__state=EnrollmentState.ENROLLED,
        sheet__closed_at__isnull=True,
        signed_at__isnull=True,
    ).exclude(sheet__slot__session__status=SessionStatus.CANCELLED)
    if enrollment is not None:
        records = records.filter(enrollment=enrollment)
    return list(records.select_related("sheet__slot__session__action").order_by("sheet__slot__date", "pk")[:20])


def employer_records(organisation) -> QuerySet:
    """The employer's employees' presence, per half-day, most recent first (paginate)."""
    return (
        AttendanceRecord.objects.filter(enrollment__employer=organisation)
        .select_related("sheet__slot__session__action__provider", "enrollment__beneficiary")
        .order_by(
            "-sheet__slot__date",
            "-sheet__slot__starts_at",
            "enrollment__beneficiary__last_name",
            "enrollment__beneficiary__first_name",
            "pk",
        )
    )


def _slot_minutes(slot: Slot) -> int:
    return (slot.ends_at.hour * 60 + slot.ends_at.minute) - (slot.starts_at.hour * 60 + slot.starts_at.minute)


def hours_attended(enrollment: Enrollment) -> Decimal:
    """The hours of the half-days where the trainee is marked present (open or closed sheets), to 0.01 h.

    Stable signature: the certificate de réalisation uses it.
    """
    slots = Slot.objects.filter(
        attendance_sheet__records__enrollment=enrollment,
        attendance_sheet__records__status=AttendanceStatus.PRESENT,
    ).only("starts_at", "ends_at")
    minutes = sum(_slot_minutes(slot) for slot in slots)
    return (Decimal(minutes) / Decimal(60)).quantize(Decimal("0.01"))


# --- Changes --------------------------------------------------------------------------------------------------


def _audit(event_type: str, *, actor, session: Session, target, request=None, **details) -> None:
    audit_record(
        event_type=event_type,
        actor=actor,
        organisation_id=session.action.provider.public_id,
        target=target,
        request=request,
        details={"session": str(session.public_id), **details},
    )


def _locked_sheet(sheet: AttendanceSheet) -> AttendanceSheet:
    """The sheet under a row lock, refused when closed or its session cancelled (call inside a transaction)."""
    locked = (
        AttendanceSheet.objects.select_for_update().select_related("slot__session__action__provider").get(pk=sheet.pk)
    )
    if locked.is_closed:
        raise AttendanceRefused(SHEET_CLOSED)
    if locked.slot.session.status == SessionStatus.CANCELLED:
        raise AttendanceRefused(SESSION_CANCELLED)
    return locked


def _records_add(sheet: AttendanceSheet) -> int:
    """A row for every enrolled person without one (someone enrolled after the sheet opened)."""
    enrollments = Enrollment.objects.filter(session_id=sheet.slot.session_id, state=EnrollmentState.ENROLLED).exclude(
        pk__in=AttendanceRecord.objects.filter(sheet=sheet).values("enrollment_id")
    )
    rows = [AttendanceRecord(sheet=sheet, enrollment=enrollment) for enrollment in enrollments]
    AttendanceRecord.objects.bulk_create(rows)
    return len(rows)


def sheet_open(*, slot: Slot, actor, request=None) -> AttendanceSheet:
    """The slot's sheet, opened now if it is not yet; an open sheet gets rows for late enrollments."""
    session = slot.session
    if session.status == SessionStatus.CANCELLED:
        raise AttendanceRefused(SESSION_CANCELLED)
    if not slot_started(slot):
        raise AttendanceRefused(SLOT_NOT_STARTED)
    existing = AttendanceSheet.objects.filter(slot=slot).first()
    if existing is not None:
        if not existing.is_closed:
            with transaction.atomic():
                _records_add(_locked_sheet(existing))
        return existing
    if not Enrollment.objects.filter(session=session, state=EnrollmentState.ENROLLED).exists():
        raise AttendanceRefused(NOBODY_ENROLLED)
    try:
        with transaction.atomic():
            sheet = AttendanceSheet.objects.create(slot=slot, opened_by=actor)
            count = _records_add(sheet)
            _audit("attendance.sheet_opened", actor=actor, session=session, target=sheet, request=request, rows=count)
    except IntegrityError:
        # Two trainers opened it at the same moment: the other one's sheet is the sheet.
        return AttendanceSheet.objects.get(slot=slot)
    return sheet


def _locked_record(record: AttendanceRecord) -> tuple[AttendanceSheet, AttendanceRecord]:
    sheet = _locked_sheet(record.sheet)
    locked = AttendanceRecord.objects.select_for_update().select_related("enrollment").get(pk=record.pk)
    return sheet, locked


def record_status_set(*, record: AttendanceRecord, status: str, actor, request=None) -> AttendanceRecord:
    """Present, absent or excused; a signed presence stays present."""
    if status not in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED):
        raise AttendanceRefused("Choisissez présent, absent ou absent excusé.")
    with transaction.atomic():
        sheet, locked = _locked_record(record)
        if locked.enrollment.state != EnrollmentState.ENROLLED:
            raise AttendanceRefused(NOT_ENROLLED)
        if locked.signed_at is not None and status != AttendanceStatus.PRESENT:
            raise AttendanceRefused(SIGNED_STAYS_PRESENT)
        if locked.status != status:
            previous = locked.status
            locked.status = status
            locked.updated_at = timezone.now()
            locked.save(update_fields=["status", "updated_at"])
            _audit(
                "attendance.status_set",
                actor=actor,
                session=sheet.slot.session,
                target=locked,
                request=request,
                status=status,
                previous=previous,
            )
    return locked


def _signature_save(record: AttendanceRecord, *, method: str, name: str, request) -> None:
    now = timezone.now()
    record.status = AttendanceStatus.PRESENT
    record.signed_at = now
    record.signature_method = method
    record.signer_name = name[:200]
    record.signer_ip = client_ip(request) if request is not None else None
    record.code_hash = ""
    record.code_expires_at = None
    record.updated_at = now
    record.save()


def record_sign_here(
    *, record: AttendanceRecord, signer_name: str, consent: bool, actor, request=None
) -> AttendanceRecord:
    """The trainee signs on the trainer's device: their typed name and a consent; only when marked present."""
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise AttendanceRefused(NAME_REQUIRED)
    if not consent:
        raise AttendanceRefused(CONSENT_REQUIRED)
    with transaction.atomic():
        sheet, locked = _locked_record(record)
        if locked.enrollment.state != EnrollmentState.ENROLLED:
            raise AttendanceRefused(NOT_ENROLLED)
        if locked.signed_at is not None:
            raise AttendanceRefused(ALREADY_SIGNED)
        if locked.status != AttendanceStatus.PRESENT:
            raise AttendanceRefused(MARK_PRESENT_FIRST)
        _signature_save(locked, method=SignatureMethod.TRAINER_DEVICE, name=signer_name, request=request)
        _audit(
            "attendance.signed",
            actor=actor,
            session=sheet.slot.session,
            target=locked,
            request=request,
            method=SignatureMethod.TRAINER_DEVICE,
        )
    return locked


def _code_hash(record: AttendanceRecord, code: str) -> str:
    return salted_hmac(
        "parcours.enrollments.attendance.code", f"{record.public_id}:{code}", algorithm="sha256"
    ).hexdigest()


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime.datetime
    rows: int


def sheet_code_issue(*, sheet: AttendanceSheet, actor, request=None) -> IssuedCode:
    """A new one-time code for the rows still to sign; it replaces the previous one and resets the attempts."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    expires_at = timezone.now() + datetime.timedelta(minutes=settings.PARCOURS_ATTENDANCE_CODE_MINUTES)
    with transaction.atomic():
        locked = _locked_sheet(sheet)
        records = list(
            AttendanceRecord.objects.select_for_update().filter(
                sheet=locked, signed_at__isnull=True, enrollment__state=EnrollmentState.ENROLLED
            )
        )
        for record in records:
            record.code_hash = _code_hash(record, code)
            record.code_expires_at = expires_at
            record.code_attempts = 0
        AttendanceRecord.objects.bulk_update(records, ["code_hash", "code_expires_at", "code_attempts"])
        _audit("attendance.code_issued", actor=actor, session=locked.slot.session, target=locked, request=request)
    return IssuedCode(code=code, expires_at=expires_at, rows=len(records))


def record_sign_with_code(
    *, record: AttendanceRecord, code: str, consent: bool, user, request=None
) -> AttendanceRecord:
    """The trainee signs on their own device with the sheet's code: marks them present. A wrong code counts
    an attempt (kept even though the signature is refused)."""
    if not consent:
        raise AttendanceRefused(CONSENT_REQUIRED)
    code = (code or "").strip().replace(" ", "")
    refusal = ""
    with transaction.atomic():
        # The caller found the record among the person's own (trainee_record).
        sheet, locked = _locked_record(record)
        if locked.enrollment.state != EnrollmentState.ENROLLED:
            raise AttendanceRefused(TRAINEE_NOT_ENROLLED)
        if locked.signed_at is not None:
            raise AttendanceRefused(ALREADY_SIGNED)
        if not locked.code_hash or locked.code_expires_at is None or locked.code_expires_at <= timezone.now():
            raise AttendanceRefused(CODE_EXPIRED)
        if locked.code_attempts >= CODE_MAX_ATTEMPTS:
            raise AttendanceRefused(CODE_BLOCKED)
        if constant_time_compare(_code_hash(locked, code), locked.code_hash):
            _signature_save(
                locked, method=SignatureMethod.OWN_DEVICE, name=user.get_full_name() or user.email, request=request
            )
            _audit(
                "attendance.signed",
                actor=user,
                session=sheet.slot.session,
                target=locked,
                request=request,
                method=SignatureMethod.OWN_DEVICE,
            )
            return locked
        # Counted and committed: the refusal is raised once the transaction is over.
        locked.code_attempts += 1
        locked.save(update_fields=["code_attempts"])
        left = CODE_MAX_ATTEMPTS - locked.code_attempts
        refusal = (
            CODE_BLOCKED if left <= 0 else f"Code incorrect. Il vous reste {left} essai{'s' if left > 1 else ''}."
        )
    raise AttendanceRefused(refusal)


def sheet_close(*, sheet: AttendanceSheet, trainer_name: str, consent: bool, actor, request=None) -> AttendanceSheet:
    """The trainer signs (typed name, consent) and closes: the sheet is locked for good."""
    trainer_name = (trainer_name or "").strip()
    if not trainer_name:
        raise AttendanceRefused("Saisissez votre nom et votre prénom pour signer la feuille.")
    if not consent:
        raise AttendanceRefused("Cochez la case pour certifier l'exactitude de la feuille.")
    with transaction.atomic():
        locked = _locked_sheet(sheet)
        unanswered = AttendanceRecord.objects.filter(
            sheet=locked, status="", enrollment__state=EnrollmentState.ENROLLED
        ).count()
        if unanswered:
            raise AttendanceRefused(CLOSE_INCOMPLETE.format(count=unanswered))
        locked.trainer_signed_name = trainer_name[:200]
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["trainer_signed_name", "closed_at", "closed_by"])
        # A code still running is of no use any more.
        AttendanceRecord.objects.filter(sheet=locked).exclude(code_hash="").update(code_hash="", code_expires_at=None)
        _audit("attendance.sheet_closed", actor=actor, session=locked.slot.session, target=locked, request=request)
        # The session's PDF gets its new version once the closing is committed.
        session = locked.slot.session
        transaction.on_commit(lambda: attendance_pdf(session, by=actor), robust=True)
    return locked


# --- The PDF per session ----------------------------------------------------------------------------------------


def _date(value: datetime.date) -> str:
    return dateformat.format(value, "l j F Y")


def _day(value: datetime.date) -> str:
    return dateformat.format(value, "j F Y")


def _time(value: datetime.time) -> str:
    return f"{value.hour} h {value.minute:02d}"


def _moment(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"le {dateformat.format(local, 'd/m/Y')} à {_time(local.time())}"


def _hours(minutes: int) -> str:
    return f"{Decimal(minutes) / Decimal(60):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def attendance_data(session: Session) -> dict:
    """Everything the PDF shows, JSON-serialisable (kept with the document; a change makes a new version)."""
    with translation.override("fr"):
        provider = session.action.provider
        profile = getattr(provider, "provider_profile", None)
        nda = profile.nda if profile is not None and profile.nda else ""
        slots = list(
            Slot.objects.filter(session=session).select_related("attendance_sheet").order_by("date", "starts_at")
        )
        sheet_ids = [slot.attendance_sheet.pk for slot in slots if getattr(slot, "attendance_sheet", None)]
        by_sheet: dict[int, list] = {}
        records = (
            AttendanceRecord.objects.filter(sheet_id__in=sheet_ids)
            .select_related("enrollment__beneficiary", "enrollment__employer")
            .order_by("enrollment__beneficiary__last_name", "enrollment__beneficiary__first_name", "pk")
        )
        for record in records:
            by_sheet.setdefault(record.sheet_id, []).append(record)
        trainers = sorted(user.get_full_name() or user.email for user in session.trainers.all())
        pages = []
        for slot in slots:
            sheet = getattr(slot, "attendance_sheet", None)
            page = {
                "date": _date(slot.date),
                "half_day": slot.get_half_day_display(),
                "times": f"de {_time(slot.starts_at)} à {_time(slot.ends_at)}",
                "hours": _hours(_slot_minutes(slot)),
                "opened": sheet is not None,
                "closed": bool(sheet and sheet.is_closed),
                "trainer_signature": "",
                "rows": [],
            }
            if sheet is not None:
                if sheet.is_closed:
                    page["trainer_signature"] = f"Signé par {sheet.trainer_signed_name} {_moment(sheet.closed_at)}"
                for record in by_sheet.get(sheet.pk, []):
                    person = record.enrollment.beneficiary
                    signature = ""
                    if record.signed_at is not None:
                        method = SignatureMethod(record.signature_method).label.lower()
                        signature = f"Signé par {record.signer_name} {_moment(record.signed_at)} ({method})"
                    page["rows"].append(
                        {
                            "name": f"{(person.usage_name or person.last_name).upper()} {person.first_name}".strip(),
                            "employer": record.enrollment.employer.name if record.enrollment.employer else "",
                            "status": AttendanceStatus(record.status).label,
                            "signature": signature,
                        }
                    )
            pages.append(page)
        return {
            "action": session.action.title,
            "nature": session.action.get_nature_display(),
            "provider": provider.name,
            "provider_siret": provider.siret or "",
            "provider_nda": nda or "déclaration d'activité en cours d'enregistrement",
            "session": f"du {_day(session.starts_on)} au {_day(session.ends_on)}",
            "place": session.place or session.action.place,
            "trainers": trainers,
            "slots": pages,
        }


def attendance_pdf(session: Session, *, by=None) -> Document:
    """The session's attendance PDF: the latest version when nothing changed, else a new version."""
    return document_generate(
        kind=DOCUMENT_KIND,
        subject_type=SUBJECT_TYPE,
        subject_id=session.public_id,
        template=DOCUMENT_TEMPLATE,
        context={},
        data=attendance_data(session),
        filename=f"emargement-{session.starts_on:%Y%m%d}-{str(session.public_id)[:8]}.pdf",
        by=by,
    )
