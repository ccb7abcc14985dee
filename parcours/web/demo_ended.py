"""Two ended sessions for the demo (issue 8), in the regional programme (the operator funds), so that every
after-session page has something to show:

- three weeks ago: every trainee answered the satisfaction questionnaire, the bilan is accepted;
- last week: five of the seven trainees answered (the printed salarié has not: his questionnaire waits for him),
  the bilan is submitted and waits for the gestionnaire.

Both sessions' attendance sheets are closed with a few absences, so hours, rates, the employer's yearly recap and
the operator's statistics are real figures. Made through the services; a run on another day rebuilds them at the
new dates.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from parcours.catalog.enums import ActionNature, ActionStatus, HalfDay, Modality, Sanction
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from parcours.enrollments import attendance, reports, satisfaction
from parcours.enrollments.enums import AttendanceStatus, EnrollmentState
from parcours.enrollments.models import (
    AttendanceRecord,
    AttendanceSheet,
    Enrollment,
    SatisfactionSurvey,
    SessionReport,
)
from parcours.workflows.models import TransitionLog

TITLE = "Prendre la parole en réunion"
# (days before today the session ends, whether the bilan is accepted, how many trainees answer)
SESSIONS = ((21, True, None), (5, False, 5))
TIMETABLE = ((HalfDay.MORNING, (9, 0), (12, 30)), (HalfDay.AFTERNOON, (13, 30), (17, 0)))
# Per trainee, in order: the scale answers, the recommendation, what they liked, what could be better.
ANSWERS = [
    (5, 5, 5, 4, "Oui", "Les mises en situation filmées.", ""),
    (4, 4, 5, 4, "Oui", "Les exercices sur nos vraies réunions.", "Un peu plus de pauses."),
    (4, 3, 4, 3, "Sans avis", "", "La salle était trop petite."),
    (5, 4, 5, 5, "Oui", "Le formateur, très patient.", ""),
    (3, 4, 4, 3, "Non", "", "Le rythme du deuxième jour était trop rapide."),
    (4, 5, 4, 4, "Oui", "Les techniques de respiration.", "Un support à emporter."),
]
# Who was absent (trainee index, half-day index) and why the sheets say so.
ABSENCES = {(2, 3): AttendanceStatus.EXCUSED, (4, 1): AttendanceStatus.ABSENT}
RESULTS = (
    "Chaque stagiaire présent a préparé et présenté une intervention de cinq minutes, filmée puis analysée ; "
    "l'évaluation finale est réussie par tous."
)
DIFFICULTIES = "Des niveaux d'aisance très différents : deux stagiaires n'avaient jamais pris la parole en groupe."


def _action(provider, programme: Programme, common: dict) -> TrainingAction:
    action, _ = TrainingAction.objects.update_or_create(
        provider=provider,
        title=TITLE,
        defaults={
            **common,
            "summary": "Préparer une intervention, capter l'attention, répondre aux questions sans se déstabiliser.",
            "objectives": (
                "Structurer un message en trois idées\nPoser sa voix et son regard\nGérer les questions difficiles"
            ),
            "audience": "Salariés amenés à présenter leur travail en réunion.",
            "prerequisites": "",
            "nature": ActionNature.TRAINING,
            "duration_hours": Decimal("14.0"),
            "price": Decimal("560.00"),
            "modality": Modality.ON_SITE,
            "sanction": Sanction.ATTESTATION,
            "status": ActionStatus.PUBLISHED,
            "published_at": timezone.now(),
        },
    )
    action.programmes.add(programme)
    return action


def _reset(action: TrainingAction) -> None:
    """Everything hanging on the action's sessions, so that they can move to new dates."""
    sessions = Session.objects.filter(action=action)
    enrollments = Enrollment.objects.filter(session__in=sessions)
    SatisfactionSurvey.objects.filter(session__in=sessions).delete()  # invitations and responses cascade
    logged = list(SessionReport.objects.filter(session__in=sessions).values_list("public_id", flat=True))
    logged += list(enrollments.values_list("public_id", flat=True))
    TransitionLog.objects.filter(object_id__in=logged).delete()
    SessionReport.objects.filter(session__in=sessions).delete()
    AttendanceRecord.objects.filter(enrollment__in=enrollments).delete()
    AttendanceSheet.objects.filter(slot__session__in=sessions).delete()
    enrollments.delete()
    sessions.delete()


def _session(action: TrainingAction, trainer, *, ends_ago: int) -> Session:
    today = timezone.localdate()
    ends_on = today - datetime.timedelta(days=ends_ago)
    starts_on = ends_on - datetime.timedelta(days=1)
    session = Session.objects.create(
        action=action,
        starts_on=starts_on,
        ends_on=ends_on,
        registration_deadline=starts_on - datetime.timedelta(days=10),
        place=action.place,
        department_code=action.department_code,
        capacity=10,
        status="open",
    )
    session.trainers.set([trainer])
    for day in (starts_on, ends_on):
        for half_day, start, end in TIMETABLE:
            Slot.objects.create(
                session=session,
                date=day,
                half_day=half_day,
                starts_at=datetime.time(*start),
                ends_at=datetime.time(*end),
            )
    return session


def _enroll(session: Session, programme: Programme, employer, provider, trainees, deciders: tuple) -> None:
    """Enrolled a month before the start, with the log rows the workflow would have written then (the requests
    cannot go through it now: their deadline has passed), so that the statistics count them."""
    requested = timezone.make_aware(datetime.datetime.combine(session.starts_on, datetime.time(10))) - (
        datetime.timedelta(days=30)
    )
    employer_referent, provider_referent = deciders
    for user in trainees:
        enrollment = Enrollment.objects.create(
            session=session,
            programme=programme,
            beneficiary=user,
            employer=employer,
            provider=provider,
            state=EnrollmentState.ENROLLED,
            expectations="Être plus à l'aise lors des réunions d'équipe.",
            requested_by=user,
            created_at=requested,
            state_changed_at=requested,
        )
        state = EnrollmentState
        steps = (
            ("employer_approve", state.PENDING_EMPLOYER, state.PENDING_PROVIDER, employer_referent),
            ("provider_validate", state.PENDING_PROVIDER, state.ENROLLED, provider_referent),
        )
        for day, (action, source, target, actor) in enumerate(steps, start=1):
            TransitionLog.objects.create(
                workflow="enrollment",
                object_type=Enrollment._meta.label_lower,
                object_id=enrollment.public_id,
                action=action,
                from_state=source,
                to_state=target,
                actor=actor,
                occurred_at=requested + datetime.timedelta(days=day),
            )
    Session.objects.filter(pk=session.pk).update(enrolled_count=len(trainees))


def _attendance(session: Session, trainer, trainees) -> None:
    order = {user.pk: index for index, user in enumerate(trainees)}
    for slot_index, slot in enumerate(session.slots.order_by("date", "starts_at")):
        sheet = attendance.sheet_open(slot=slot, actor=trainer)
        for record in sheet.records.select_related("enrollment__beneficiary"):
            user = record.enrollment.beneficiary
            status = ABSENCES.get((order[user.pk], slot_index), AttendanceStatus.PRESENT)
            record = attendance.record_status_set(record=record, status=status, actor=trainer)
            if status == AttendanceStatus.PRESENT:
                name = user.get_full_name()
                attendance.record_sign_here(record=record, signer_name=name, consent=True, actor=trainer)
        attendance.sheet_close(sheet=sheet, trainer_name=trainer.get_full_name(), consent=True, actor=trainer)


def _answer(survey: SatisfactionSurvey, trainees, how_many: int | None) -> None:
    keys = {question["kind"]: [] for question in survey.questions}
    for question in survey.questions:
        keys[question["kind"]].append(question["key"])
    invitations = {invitation.enrollment.beneficiary_id: invitation for invitation in survey.invitations.all()}
    answering = trainees if how_many is None else trainees[:how_many]
    for user, values in zip(answering, ANSWERS, strict=False):
        *scales, choice, liked, better = values
        answers = dict(zip(keys.get("scale", []), (str(value) for value in scales), strict=False))
        answers.update(dict(zip(keys.get("choice", []), [choice], strict=False)))
        answers.update(dict(zip(keys.get("text", []), [liked, better], strict=False)))
        satisfaction.survey_answer(invitation=invitations[user.pk], actor=user, answers=answers)


def ended_sessions_setup(
    *,
    programme: Programme,
    employer,
    employer_referent,
    provider,
    provider_referent,
    trainer,
    gestionnaire,
    salarie,
    employees,
    common,
) -> list[Session]:
    """The two ended sessions (see the module's docstring); the salarié is a trainee of the recent one only."""
    if not programme.survey_questions.exists():
        satisfaction.survey_questions_add_standard(programme=programme, actor=gestionnaire)
    action = _action(provider, programme, common)
    today = timezone.localdate()
    wanted = sorted(today - datetime.timedelta(days=ends_ago) for ends_ago, _, _ in SESSIONS)
    existing = sorted(Session.objects.filter(action=action).values_list("ends_on", flat=True))
    if existing == wanted:
        return list(Session.objects.filter(action=action).order_by("starts_on"))
    _reset(action)
    sessions = []
    for ends_ago, accepted, answering in SESSIONS:
        trainees = list(employees) if accepted else [*employees[:5], salarie, employees[5]]
        # The printed salarié answers in the journey: keep him out of the five who already did.
        session = _session(action, trainer, ends_ago=ends_ago)
        _enroll(session, programme, employer, provider, trainees, (employer_referent, provider_referent))
        _attendance(session, trainer, trainees)
        survey = satisfaction.survey_open(session=session, programme=programme)
        _answer(survey, [user for user in trainees if user != salarie], answering)
        report = reports.report_submit(
            session=session,
            programme=programme,
            actor=provider_referent,
            results=RESULTS,
            comments="Groupe motivé ; les supports ont été envoyés à chacun après la session.",
            difficulties=DIFFICULTIES,
        )
        if accepted:
            reports.report_accept(report=report, actor=gestionnaire)
        sessions.append(session)
    return sessions
