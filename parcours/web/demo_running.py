"""A session under way for the demo (issue 7): started yesterday, ends tomorrow, in a programme where the
employer pays, so the convention is between the demo provider and the demo employer. Its convention is
issued and signed by the provider (the employeur référent signs it), the trainees are convoked, yesterday's
attendance sheets are closed and this morning's is open (the formateur shows a code, the salarié signs).

Made through the services (real PDFs and emails in the development outbox); a run on another day moves the
session to today and starts it again.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from parcours.catalog.enums import ActionNature, ActionStatus, Funding, HalfDay, Modality, Sanction, WhoAsks
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from parcours.documents.models import Document, DocumentSignature
from parcours.enrollments import attendance, conventions, convocations
from parcours.enrollments.enums import AttendanceStatus, ConventionParty, EnrollmentState
from parcours.enrollments.models import (
    AttendanceRecord,
    AttendanceSheet,
    Convention,
    Convocation,
    Enrollment,
)

TITLE = "Sécurité informatique au quotidien"


def _programme(operator) -> Programme:
    today = timezone.localdate()
    programme, _ = Programme.objects.update_or_create(
        operator=operator,
        name="Plan de développement des compétences (démonstration)",
        defaults={
            "description": "Les formations que l'employeur finance pour ses salariés.",
            "starts_on": today.replace(month=1, day=1),
            "ends_on": today.replace(year=today.year + 1, month=12, day=31),
            "who_asks": WhoAsks.EMPLOYEE,
            "employer_approval": True,
            "provider_validation": True,
            "funding": Funding.EMPLOYER_PAYS,
            "is_active": True,
        },
    )
    return programme


def _action(provider, programme, common: dict) -> TrainingAction:
    action, _ = TrainingAction.objects.update_or_create(
        provider=provider,
        title=TITLE,
        defaults={
            **common,
            "summary": "Les bons réflexes face au hameçonnage, aux mots de passe faibles et aux pertes de données.",
            "objectives": "Reconnaître un hameçonnage\nGérer ses mots de passe\nSauvegarder ses données",
            "audience": "Tout salarié utilisant un ordinateur.",
            "prerequisites": "",
            "nature": ActionNature.TRAINING,
            "duration_hours": Decimal("21.0"),
            "price": Decimal("750.00"),
            "modality": Modality.ON_SITE,
            "sanction": Sanction.ATTESTATION,
            "status": ActionStatus.PUBLISHED,
            "published_at": timezone.now(),
        },
    )
    action.programmes.set([programme])
    return action


def _reset(session: Session) -> None:
    """Everything hanging on the session, so that it can move to new dates."""
    enrollments = Enrollment.objects.filter(session=session)
    AttendanceRecord.objects.filter(enrollment__in=enrollments).delete()
    AttendanceSheet.objects.filter(slot__session=session).delete()
    Convocation.objects.filter(enrollment__in=enrollments).delete()
    subject_ids = [convention.public_id for convention in Convention.objects.filter(session=session)]
    subject_ids += list(enrollments.values_list("public_id", flat=True))
    subject_ids.append(session.public_id)  # the attendance sheets' PDF
    DocumentSignature.objects.filter(document__subject_id__in=subject_ids).delete()
    Document.objects.filter(subject_id__in=subject_ids).delete()
    Convention.objects.filter(session=session).delete()
    enrollments.delete()
    session.slots.all().delete()


def running_session_setup(*, operator, employer, provider, provider_referent, trainer, trainees, common: dict):
    today = timezone.localdate()
    programme = _programme(operator)
    action = _action(provider, programme, common)
    starts_on = today - datetime.timedelta(days=1)
    session = Session.objects.filter(action=action).first()
    if session is not None and session.starts_on != starts_on:
        _reset(session)
    if session is None:
        session = Session(action=action)
    session.starts_on = starts_on
    session.ends_on = today + datetime.timedelta(days=1)
    session.registration_deadline = starts_on - datetime.timedelta(days=7)
    session.place = action.place
    session.department_code = action.department_code
    session.capacity = 8
    session.status = "open"
    session.save()
    session.trainers.set([trainer])
    for offset in (-1, 0, 1):
        day = today + datetime.timedelta(days=offset)
        for half_day, start, end in ((HalfDay.MORNING, (9, 0), (12, 30)), (HalfDay.AFTERNOON, (13, 30), (17, 0))):
            Slot.objects.get_or_create(
                session=session,
                date=day,
                half_day=half_day,
                defaults={"starts_at": datetime.time(*start), "ends_at": datetime.time(*end)},
            )
    enrollments = []
    for user in trainees:
        enrollment, _ = Enrollment.objects.get_or_create(
            session=session,
            beneficiary=user,
            defaults={
                "programme": programme,
                "employer": employer,
                "provider": provider,
                "state": EnrollmentState.ENROLLED,
                "expectations": "Être plus à l'aise avec la sécurité de mon poste.",
                "requested_by": user,
            },
        )
        enrollments.append(enrollment)
    Session.objects.filter(pk=session.pk).update(enrolled_count=len(enrollments))
    session.refresh_from_db()

    issued = conventions.convention_issue(
        session=session, programme=programme, buyer=employer, actor=provider_referent
    )
    if not issued.document.signatures.filter(party=ConventionParty.PROVIDER).exists():
        conventions.convention_sign(
            convention=issued.convention,
            document_id=issued.document.public_id,
            party=ConventionParty.PROVIDER,
            actor=provider_referent,
            signer_name=provider_referent.get_full_name(),
            consent=True,
        )
    # Convoked a week before the start, as the periodic job would have done.
    week_before = timezone.now() - datetime.timedelta(days=8)
    for enrollment in enrollments:
        if not enrollment.convocations.exists():
            convocations.convocation_send(enrollment=enrollment, now=week_before)

    slots = list(session.slots.order_by("date", "starts_at"))
    yesterday = [slot for slot in slots if slot.date < today]
    for slot in yesterday:
        sheet = attendance.sheet_open(slot=slot, actor=trainer)
        if sheet.is_closed:
            continue
        for record in sheet.records.select_related("enrollment__beneficiary"):
            if record.status != AttendanceStatus.PRESENT:
                attendance.record_status_set(record=record, status=AttendanceStatus.PRESENT, actor=trainer)
                record.refresh_from_db()
            if record.signed_at is None:
                attendance.record_sign_here(
                    record=record,
                    signer_name=record.enrollment.beneficiary.get_full_name(),
                    consent=True,
                    actor=trainer,
                )
        attendance.sheet_close(sheet=sheet, trainer_name=trainer.get_full_name(), consent=True, actor=trainer)
    this_morning = next(slot for slot in slots if slot.date == today and slot.half_day == HalfDay.MORNING)
    attendance.sheet_open(slot=this_morning, actor=trainer)
    return session
