"""Convocations (RULES.md, "Documents of a training"): when, where, timetable, contact, what to bring, access for
disabled people — sent to each enrolled person before their session, as an email carrying the PDF and a calendar.

- The periodic job `send_convocations` (hourly) convokes every enrolled person whose session starts within
  PARCOURS_CONVOCATION_DAYS_BEFORE days and has not started (nor been cancelled).
- A convocation is sent again, marked "modifiée", when the session's fingerprint (dates, place, timetable,
  contact) differs from the one of the last convocation sent; `convocations_resend_for_session` does it right
  after a change, the job catches whatever was missed.
- Each sending is a Convocation row; sending runs under the enrollment's row lock and compares fingerprints
  again, so two runs never convoke twice.

The PDF is a document (kind "convocation", subject "enrollments.enrollment", key ""): the same session data
keeps the same version; a change makes a new one. Its data is everything it shows, and the calendar events'
identifiers, so a half-day taken off the timetable is withdrawn (STATUS:CANCELLED) from the trainee's calendar.
"""

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import slugify

from parcours.audit.services import audit_record
from parcours.catalog.enums import Modality, SessionStatus
from parcours.catalog.models import Session
from parcours.documents.models import Document
from parcours.documents.registry import document_parties_register
from parcours.documents.services import document_content, document_generate, document_latest
from parcours.enrollments import permissions
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Convocation, Enrollment
from parcours.notifications.inapp import notification_category_register, notify
from parcours.notifications.services import email_send
from parcours.utils.ics import CalendarEvent, ics_calendar

logger = logging.getLogger(__name__)

SUBJECT_TYPE = "enrollments.enrollment"
KIND = "convocation"
CATEGORY = "convocation"
PDF_TEMPLATE = "documents/convocation.html"
EMAIL_TEMPLATE = "convocations/convocation"
ICS_FILENAME = "convocation.ics"
ICS_CONTENT_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"


def register() -> None:
    """Called once at startup (EnrollmentsConfig.ready).

    Registers the parties of every "enrollments.enrollment" document (convocation, attestation, certificate):
    the registry keeps one check per subject type, so this one is generic on purpose.
    """
    notification_category_register(CATEGORY, "Convocations aux sessions", mutable=False)
    document_parties_register(SUBJECT_TYPE, enrollment_document_party)


def enrollment_document_party(user, subject_id: UUID) -> bool:
    """Who may download an enrollment's documents: the trainee, the provider's référents and managers, the
    session's trainers, the employer's référents and managers, and the programme's operator staff (the funder
    receives the certificat de réalisation)."""
    enrollment = (
        Enrollment.objects.select_related("session", "provider", "employer").filter(public_id=subject_id).first()
    )
    if enrollment is None:
        return False
    return (
        permissions.is_beneficiary(user, enrollment)
        or permissions.manages_provider(user, enrollment)
        or permissions.trains_session(user, enrollment)
        or permissions.manages_employer(user, enrollment)
        or permissions.operates_programme(user, enrollment)
    )


# The session's data ----------------------------------------------------------------------------------------------


def _slots(session: Session) -> list:
    # Sorted in Python: uses the prefetched slots when the caller loaded them.
    return sorted(session.slots.all(), key=lambda slot: (slot.date, slot.starts_at))


def _place(session: Session) -> str:
    place = session.place or session.action.place
    if session.action.modality == Modality.REMOTE and not place:
        return "À distance"
    return place


def session_fingerprint(session: Session) -> str:
    """SHA-256 of what a convocation tells about the session: a change means the convocation is sent again."""
    action = session.action
    payload = {
        "starts_on": session.starts_on.isoformat(),
        "ends_on": session.ends_on.isoformat(),
        "place": _place(session),
        "slots": [
            [slot.date.isoformat(), slot.half_day, slot.starts_at.isoformat(), slot.ends_at.isoformat()]
            for slot in _slots(session)
        ],
        "contact": [action.contact_name, action.contact_email, action.contact_phone],
    }
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def session_starts_at(session: Session) -> datetime:
    """When the session starts: its first half-day, or the first day at midnight without a timetable."""
    slots = _slots(session)
    if slots:
        return timezone.make_aware(datetime.combine(slots[0].date, slots[0].starts_at))
    return timezone.make_aware(datetime.combine(session.starts_on, time()))


def _day(value: date) -> str:
    return date_format(value, "l j F Y")


def _clock(value: time) -> str:
    return f"{value.hour} h {value.minute:02d}"


def _hours(value: float | Decimal) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _uid(enrollment: Enrollment, slot_id: str) -> str:
    host = urlsplit(settings.PARCOURS_BASE_URL).hostname or "parcours"
    return f"convocation-{enrollment.public_id}-{slot_id}@{host}"


def convocation_data(enrollment: Enrollment) -> dict:
    """Everything the convocation shows, JSON-serialisable (kept with the PDF: a change makes a new version)."""
    session = enrollment.session
    action = session.action
    provider = enrollment.provider
    profile = getattr(provider, "provider_profile", None)
    with translation.override("fr"):
        days: dict[str, dict] = {}
        for slot in _slots(session):
            day = days.setdefault(slot.date.isoformat(), {"date": _day(slot.date), "slots": []})
            day["slots"].append(
                {
                    "uid": _uid(enrollment, str(slot.public_id)),
                    "half_day": slot.get_half_day_display(),
                    "starts_at": _clock(slot.starts_at),
                    "ends_at": _clock(slot.ends_at),
                    "hours": _hours(slot.hours),
                    "start": datetime.combine(slot.date, slot.starts_at).isoformat(),
                    "end": datetime.combine(slot.date, slot.ends_at).isoformat(),
                }
            )
        total_hours = sum(slot.hours for slot in _slots(session))
        trainee = enrollment.beneficiary
        return {
            "trainee": trainee.get_full_name() or trainee.email,
            "employer": enrollment.employer.name if enrollment.employer_id else "",
            "action": action.title,
            "nature": action.get_nature_display(),
            "modality": action.get_modality_display(),
            "programme": enrollment.programme.name,
            "starts_on": _day(session.starts_on),
            "ends_on": _day(session.ends_on),
            "single_day": session.starts_on == session.ends_on,
            "place": _place(session),
            "days": list(days.values()),
            "total_hours": _hours(total_hours) if days else _hours(action.duration_hours),
            "contact": {
                "name": action.contact_name,
                "email": action.contact_email,
                "phone": action.contact_phone,
            },
            "what_to_bring": action.what_to_bring,
            "accessibility": action.accessibility,
            "prerequisites": action.prerequisites,
            "trainers": [user.get_full_name() or user.email for user in session.trainers.order_by("last_name", "pk")],
            "provider": {
                "name": provider.name,
                "address": " ".join(part for part in [provider.address, provider.postal_code, provider.city] if part),
                "siret": provider.siret or "",
                "nda": profile.nda if profile else "",
            },
        }


def convocation_calendar(enrollment: Enrollment, data: dict, *, sequence: int, previous: dict | None) -> bytes:
    """The timetable as an ICS file: one event per half-day (one all-day event per day without a timetable);
    the half-days of the previous convocation that are gone are withdrawn."""
    summary = f"Formation : {data['action']}"
    description_lines = [
        f"Convocation de {data['trainee']} — {data['provider']['name']}.",
        f"Lieu : {data['place']}" if data["place"] else "",
        f"Contact : {', '.join(value for value in data['contact'].values() if value)}",
        f"À apporter : {data['what_to_bring']}" if data["what_to_bring"] else "",
        f"Accessibilité : {data['accessibility']}" if data["accessibility"] else "",
    ]
    description = "\n".join(line for line in description_lines if line)
    events: list[CalendarEvent] = []
    for day in data["days"]:
        for slot in day["slots"]:
            events.append(
                CalendarEvent(
                    uid=slot["uid"],
                    start=datetime.fromisoformat(slot["start"]),
                    end=datetime.fromisoformat(slot["end"]),
                    summary=f"{summary} ({slot['half_day'].lower()})",
                    location=data["place"],
                    description=description,
                    sequence=sequence,
                )
            )
    if not events:
        session = enrollment.session
        day = session.starts_on
        while day <= session.ends_on:
            events.append(
                CalendarEvent(
                    uid=_uid(enrollment, day.isoformat()),
                    start=day,
                    end=day,
                    summary=summary,
                    location=data["place"],
                    description=description,
                    sequence=sequence,
                )
            )
            day += timedelta(days=1)
    current = {event.uid for event in events}
    for day in (previous or {}).get("days", []):
        for slot in day.get("slots", []):
            if slot.get("uid") and slot["uid"] not in current:
                events.append(
                    CalendarEvent(
                        uid=slot["uid"],
                        start=datetime.fromisoformat(slot["start"]),
                        end=datetime.fromisoformat(slot["end"]),
                        summary=f"Annulé : {summary} ({slot['half_day'].lower()})",
                        location=data["place"],
                        sequence=sequence,
                        cancelled=True,
                    )
                )
    return ics_calendar(events, name=summary)


# Sending ---------------------------------------------------------------------------------------------------------


def _enrollments_with_session():
    return Enrollment.objects.select_related(
        "session__action", "provider__provider_profile", "employer", "programme", "beneficiary"
    ).prefetch_related("session__slots")


def _convocable(session: Session, now: datetime) -> bool:
    return session.status != SessionStatus.CANCELLED and now < session_starts_at(session)


def convocation_send(*, enrollment: Enrollment, now: datetime | None = None) -> Convocation | None:
    """Convoke one enrolled person, unless the last convocation already tells the session as it is now.

    Returns the new Convocation, or None when nothing was sent (not enrolled, session cancelled or started,
    nothing changed). Runs under the enrollment's row lock: a concurrent run finds the row written.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _enrollments_with_session().select_for_update(of=("self",)).filter(pk=enrollment.pk).first()
        if locked is None or locked.state != EnrollmentState.ENROLLED:
            return None
        session = locked.session
        if not _convocable(session, now):
            return None
        fingerprint = session_fingerprint(session)
        sent_before = list(locked.convocations.order_by("-sent_at", "-pk").values_list("fingerprint", flat=True))
        if sent_before and sent_before[0] == fingerprint:
            return None
        modified = bool(sent_before)

        previous_document = document_latest(kind=KIND, subject_type=SUBJECT_TYPE, subject_id=locked.public_id)
        data = convocation_data(locked)
        document = document_generate(
            kind=KIND,
            subject_type=SUBJECT_TYPE,
            subject_id=locked.public_id,
            template=PDF_TEMPLATE,
            context={},
            data=data,
            filename=f"convocation-{slugify(data['trainee']) or 'stagiaire'}.pdf",
        )
        calendar = convocation_calendar(
            locked,
            data,
            sequence=len(sent_before),
            previous=previous_document.data if previous_document is not None else None,
        )
        convocation = Convocation.objects.create(enrollment=locked, fingerprint=fingerprint, sent_at=now)
        _tell(locked, document=document, data=data, calendar=calendar, modified=modified)
        audit_record(
            event_type="convocation.resend" if modified else "convocation.send",
            organisation_id=locked.provider.public_id,
            target=locked,
            details={"document": str(document.public_id), "version": document.version, "fingerprint": fingerprint},
        )
    logger.info(
        "event=convocation_sent enrollment_id=%s modified=%s document_version=%s",
        locked.public_id,
        modified,
        document.version,
    )
    return convocation


def _tell(enrollment: Enrollment, *, document: Document, data: dict, calendar: bytes, modified: bool) -> None:
    trainee = enrollment.beneficiary
    title = f"Convocation modifiée : « {data['action']} »" if modified else f"Convocation : « {data['action']} »"
    when = f"le {data['starts_on']}" if data["single_day"] else f"du {data['starts_on']} au {data['ends_on']}"
    body = (
        f"Les informations de votre session ont changé : voici votre nouvelle convocation, {when}."
        if modified
        else f"Vous êtes convoqué(e) à la session {when}."
    )
    detail_url = reverse("enrollments:detail", args=[enrollment.public_id])
    notify(trainee, category=CATEGORY, title=title, body=body, url=detail_url)
    if not trainee.is_active or not trainee.email:
        return
    email_send(
        to=trainee.email,
        template=EMAIL_TEMPLATE,
        context={
            "name": trainee.first_name,
            "title": title,
            "modified": modified,
            "when": when,
            "data": data,
            "url": detail_url,
            "document_url": reverse("documents:download", args=[document.public_id]),
        },
        user=trainee,
        category=CATEGORY,
        attachments=[
            (document.filename, document_content(document), document.content_type),
            (ICS_FILENAME, calendar, ICS_CONTENT_TYPE),
        ],
    )


@dataclass
class ConvocationRun:
    """What one run of the job did."""

    sent: list[Convocation] = field(default_factory=list)
    resent: list[Convocation] = field(default_factory=list)
    unchanged: int = 0


def convocations_send_due(*, now: datetime | None = None) -> ConvocationRun:
    """The periodic job: convoke (or convoke again after a change) everyone enrolled in a session that starts
    within PARCOURS_CONVOCATION_DAYS_BEFORE days and has not started. Safe to run any number of times."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=settings.PARCOURS_CONVOCATION_DAYS_BEFORE)
    last_fingerprint = (
        Convocation.objects.filter(enrollment=OuterRef("pk")).order_by("-sent_at", "-pk").values("fingerprint")[:1]
    )
    candidates = (
        _enrollments_with_session()
        .filter(
            state=EnrollmentState.ENROLLED,
            session__starts_on__gte=today,
            session__starts_on__lte=horizon,
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .annotate(last_fingerprint=Subquery(last_fingerprint))
        .order_by("session__starts_on", "pk")
    )
    run = ConvocationRun()
    fingerprints: dict[int, str] = {}
    for enrollment in candidates.iterator(chunk_size=200):
        session = enrollment.session
        if not _convocable(session, now):
            continue
        if session.pk not in fingerprints:
            fingerprints[session.pk] = session_fingerprint(session)
        if enrollment.last_fingerprint == fingerprints[session.pk]:
            run.unchanged += 1
            continue
        convocation = convocation_send(enrollment=enrollment, now=now)
        if convocation is None:
            run.unchanged += 1
        elif enrollment.last_fingerprint:
            run.resent.append(convocation)
        else:
            run.sent.append(convocation)
    return run


def convocations_resend_for_session(session: Session, *, now: datetime | None = None) -> list[Convocation]:
    """After a change of the session: a new convocation ("modifiée") to each enrolled person already convoked
    whose last convocation no longer matches the session. Those not convoked yet get theirs from the job.

    Each person is one transaction (a PDF each): call it once the change has committed, e.g.
    `transaction.on_commit(lambda: convocations_resend_for_session(session))`.
    """
    enrollments = (
        Enrollment.objects.filter(session_id=session.pk, state=EnrollmentState.ENROLLED, convocations__isnull=False)
        .distinct()
        .order_by("pk")
    )
    resent = []
    for enrollment in enrollments:
        convocation = convocation_send(enrollment=enrollment, now=now)
        if convocation is not None:
            resent.append(convocation)
    return resent
