"""The trainees' satisfaction questionnaire (issue 8; docs/decisions/0016-satisfaction-anonymity.md).

- Questions belong to a programme and are managed by its operator's staff. A survey (one per session and
  programme) copies them when it opens, each with a stable key ("q1", "q2"…): editing the programme's
  questions later never changes what a survey asked.
- The periodic job `send_satisfaction_surveys` opens a survey for each ended session (not cancelled, ended
  less than PARCOURS_SURVEY_OPEN_DAYS ago) with enrolled trainees of a programme that has questions, invites
  each of them, and reminds the ones who have not answered on each day of PARCOURS_SURVEY_REMINDER_DAYS after
  the opening (one reminder per run at most: a missed day is caught up once, never twice at once).
- A trainee answers once, before `closes_at`. For an anonymous survey the response carries no enrollment and
  no audit event is written: an event's time next to the responses' order could tell who answered what.
- Results are shown per survey only once it has PARCOURS_SURVEY_MIN_ANSWERS answers; a page that puts several
  surveys together (an action's sessions) counts only the surveys that reach it, so that comparing two pages
  never isolates a small group's answers. Free texts are listed sorted, never in the order of answers.
"""

import datetime
import logging
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from parcours.audit.services import audit_record
from parcours.catalog.enums import SessionStatus
from parcours.catalog.models import Programme, Session, Slot, TrainingAction
from parcours.catalog.permissions import can_manage_programme, staff_operators
from parcours.enrollments.assessments import TRAINING_ROLES, session_end, trains
from parcours.enrollments.enums import SCALE_MAX, SCALE_MIN, EnrollmentState, QuestionKind
from parcours.enrollments.models import (
    Enrollment,
    SatisfactionSurvey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.notifications.inapp import notification_category_register, notify
from parcours.organisations.permissions import can_manage, has_role, operator_memberships

logger = logging.getLogger(__name__)

CATEGORY = "satisfaction_survey"
INVITATION_TEMPLATE = "enrollments/satisfaction_invitation"
REMINDER_TEMPLATE = "enrollments/satisfaction_reminder"

TEXT_MAX_LENGTH = 2000
OPTION_MAX_LENGTH = 200  # SurveyAnswer.choice_value
OPTIONS_MAX = 20
QUESTIONS_MAX = 40
SCALE_WORDS = {SCALE_MIN: "pas du tout satisfait", SCALE_MAX: "très satisfait"}

ALREADY_ANSWERED = "Vous avez déjà répondu à ce questionnaire."
CLOSED = "Ce questionnaire est clos depuis le {day}."
NOT_OPEN = "Ce questionnaire n'est pas encore ouvert."
GONE = "Cette question a été supprimée entre-temps."

STANDARD_QUESTIONS = [
    (QuestionKind.SCALE, "Dans l'ensemble, êtes-vous satisfait(e) de cette formation ?", [], True),
    (QuestionKind.SCALE, "Êtes-vous satisfait(e) du contenu de la formation ?", [], True),
    (QuestionKind.SCALE, "Êtes-vous satisfait(e) de la formatrice ou du formateur ?", [], True),
    (
        QuestionKind.SCALE,
        "Êtes-vous satisfait(e) de l'organisation et des conditions de la formation (lieu, horaires, matériel) ?",
        [],
        True,
    ),
    (QuestionKind.CHOICE, "Recommanderiez-vous cette formation ?", ["Oui", "Non", "Sans avis"], True),
    (QuestionKind.TEXT, "Ce que vous avez le plus apprécié", [], False),
    (QuestionKind.TEXT, "Ce qui pourrait être amélioré", [], False),
]


class SurveyRefused(Exception):
    """The action cannot be done; the message is for the person, in French."""


def register() -> None:
    """The notification category (EnrollmentsConfig.ready may call it; importing this module does it too)."""
    notification_category_register(CATEGORY, "Questionnaires de satisfaction", mutable=True)


register()


def _day(value: datetime.datetime | datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "j F Y")


def min_answers() -> int:
    return max(1, settings.PARCOURS_SURVEY_MIN_ANSWERS)


# Questions of a programme ----------------------------------------------------------------------------------------


def question_options_clean(kind: str, options) -> list[str]:
    """The options of a question, stripped and without duplicates; a choice needs two, the others none."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for option in options or []:
        option = " ".join(str(option).split())
        if option and option.casefold() not in seen:
            seen.add(option.casefold())
            cleaned.append(option)
    if kind == QuestionKind.CHOICE:
        if len(cleaned) < 2:
            raise SurveyRefused("Proposez au moins deux réponses différentes, une par ligne.")
        if len(cleaned) > OPTIONS_MAX:
            raise SurveyRefused(f"Proposez au plus {OPTIONS_MAX} réponses.")
        if any(len(option) > OPTION_MAX_LENGTH for option in cleaned):
            raise SurveyRefused(f"Chaque réponse proposée compte au plus {OPTION_MAX_LENGTH} caractères.")
        return cleaned
    if cleaned:
        raise SurveyRefused("Seules les questions à choix ont des réponses proposées : laissez ce champ vide.")
    return []


def _question_values(kind: str, label: str, choices, required: bool) -> dict:
    if kind not in QuestionKind.values:
        raise SurveyRefused("Choisissez le type de réponse.")
    label = " ".join((label or "").split())
    if not label:
        raise SurveyRefused("Écrivez la question.")
    return {
        "kind": kind,
        "label": label[:300],
        "choices": question_options_clean(kind, choices),
        "required": bool(required),
    }


def _check_manager(actor, programme: Programme) -> None:
    if not can_manage_programme(actor, programme):
        raise PermissionDenied


def _lock_programme(programme: Programme) -> Programme:
    """Serialises the changes of a programme's questions (positions)."""
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _renumber(programme: Programme) -> list[SurveyQuestion]:
    questions = list(SurveyQuestion.objects.filter(programme=programme).order_by("position", "pk"))
    changed = []
    for position, question in enumerate(questions, start=1):
        if question.position != position:
            question.position = position
            changed.append(question)
    if changed:
        SurveyQuestion.objects.bulk_update(changed, ["position"])
    return questions


def _audit_question(event_type: str, *, actor, programme: Programme, question, request, **details) -> None:
    audit_record(
        event_type=event_type,
        actor=actor,
        organisation_id=programme.operator.public_id,
        target=question,
        request=request,
        details={"programme": str(programme.public_id), **details},
    )


def survey_question_create(
    *, programme: Programme, actor, kind: str, label: str, choices=(), required: bool = True, request=None
) -> SurveyQuestion:
    """Add a question at the end of the programme's questionnaire."""
    _check_manager(actor, programme)
    values = _question_values(kind, label, choices, required)
    with transaction.atomic():
        programme = _lock_programme(programme)
        count = SurveyQuestion.objects.filter(programme=programme).count()
        if count >= QUESTIONS_MAX:
            raise SurveyRefused(f"Un questionnaire compte au plus {QUESTIONS_MAX} questions.")
        last = SurveyQuestion.objects.filter(programme=programme).aggregate(last=Max("position"))["last"] or 0
        question = SurveyQuestion.objects.create(programme=programme, position=last + 1, **values)
        _audit_question(
            "survey_question.created", actor=actor, programme=programme, question=question, request=request
        )
    return question


def survey_question_update(
    *, question: SurveyQuestion, actor, kind: str, label: str, choices=(), required: bool = True, request=None
) -> SurveyQuestion:
    """Change a question; the surveys already opened keep the question as they asked it."""
    _check_manager(actor, question.programme)
    values = _question_values(kind, label, choices, required)
    with transaction.atomic():
        _lock_programme(question.programme)
        question = SurveyQuestion.objects.select_related("programme__operator").filter(pk=question.pk).first()
        if question is None:
            raise SurveyRefused(GONE)
        for name, value in values.items():
            setattr(question, name, value)
        question.save(update_fields=list(values))
        _audit_question(
            "survey_question.changed", actor=actor, programme=question.programme, question=question, request=request
        )
    return question


def survey_question_delete(*, question: SurveyQuestion, actor, request=None) -> None:
    _check_manager(actor, question.programme)
    programme = question.programme
    with transaction.atomic():
        _lock_programme(programme)
        _audit_question(
            "survey_question.deleted",
            actor=actor,
            programme=programme,
            question=question,
            request=request,
            label=question.label,
        )
        SurveyQuestion.objects.filter(pk=question.pk).delete()
        _renumber(programme)


def survey_question_move(*, question: SurveyQuestion, actor, offset: int, request=None) -> bool:
    """Move a question one place up (offset -1) or down (+1); False when it is already first or last."""
    _check_manager(actor, question.programme)
    if offset not in (-1, 1):
        raise ValueError("offset must be -1 or 1")
    with transaction.atomic():
        _lock_programme(question.programme)
        questions = _renumber(question.programme)
        index = next((i for i, q in enumerate(questions) if q.pk == question.pk), None)
        if index is None:
            raise SurveyRefused(GONE)
        other = index + offset
        if not 0 <= other < len(questions):
            return False
        first, second = questions[index], questions[other]
        first.position, second.position = second.position, first.position
        SurveyQuestion.objects.bulk_update([first, second], ["position"])
    return True


def survey_questions_add_standard(*, programme: Programme, actor, request=None) -> int:
    """Add the standard questions the programme does not have yet (same type and wording); returns how many."""
    _check_manager(actor, programme)
    with transaction.atomic():
        programme = _lock_programme(programme)
        existing = list(SurveyQuestion.objects.filter(programme=programme).values_list("kind", "label", "position"))
        present = {(kind, label.casefold()) for kind, label, _ in existing}
        missing = [
            (kind, label, choices, required)
            for kind, label, choices, required in STANDARD_QUESTIONS
            if (kind, label.casefold()) not in present
        ]
        if len(existing) + len(missing) > QUESTIONS_MAX:
            raise SurveyRefused(f"Un questionnaire compte au plus {QUESTIONS_MAX} questions.")
        position = max((p for _, _, p in existing), default=0)
        created = SurveyQuestion.objects.bulk_create(
            SurveyQuestion(
                programme=programme, position=position + i, kind=kind, label=label, choices=choices, required=required
            )
            for i, (kind, label, choices, required) in enumerate(missing, start=1)
        )
        if created:
            audit_record(
                event_type="survey_question.standard_added",
                actor=actor,
                organisation_id=programme.operator.public_id,
                target=programme,
                request=request,
                details={"count": len(created)},
            )
    return len(created)


def programme_for_questions(user, public_id) -> Programme:
    """The programme whose questions the person manages: 403 for anyone who is no operator staff, 404 for a
    programme of another operator (catalog/views/programmes.py does the same)."""
    if not staff_operators(user):
        raise PermissionDenied
    programme = get_object_or_404(Programme.objects.select_related("operator"), public_id=public_id)
    if not can_manage_programme(user, programme):
        raise Http404
    return programme


def programme_questions(programme: Programme) -> list[SurveyQuestion]:
    return list(SurveyQuestion.objects.filter(programme=programme).order_by("position", "pk"))


def question_of(programme: Programme, public_id) -> SurveyQuestion:
    return get_object_or_404(
        SurveyQuestion.objects.select_related("programme__operator"), programme=programme, public_id=public_id
    )


def question_snapshot(questions) -> list[dict]:
    """What a survey keeps of the programme's questions, with stable keys."""
    return [
        {
            "key": f"q{index}",
            "kind": question.kind,
            "label": question.label,
            "choices": list(question.choices or []),
            "required": question.required,
        }
        for index, question in enumerate(questions, start=1)
    ]


# Opening ---------------------------------------------------------------------------------------------------------


@dataclass
class OpenRun:
    """What one run of the opening did."""

    opened: list[SatisfactionSurvey] = field(default_factory=list)
    invited: int = 0
    skipped: int = 0


def answer_url(invitation: SurveyInvitation) -> str:
    return reverse("satisfaction:answer", args=[invitation.public_id])


def _open_window() -> datetime.timedelta:
    return datetime.timedelta(days=settings.PARCOURS_SURVEY_OPEN_DAYS)


def survey_openable(session: Session, now: datetime.datetime) -> bool:
    """Ended, not cancelled, ended less than PARCOURS_SURVEY_OPEN_DAYS ago."""
    if session.status == SessionStatus.CANCELLED:
        return False
    end = session_end(session)
    return end <= now and now - end < _open_window()


def survey_open(
    *, session: Session, programme: Programme, now: datetime.datetime | None = None
) -> SatisfactionSurvey | None:
    """Open the survey of one session for one programme's enrolled trainees and invite them; None when it is not
    due (see survey_openable), already open, or there is nobody or nothing to ask. Safe to run concurrently: the
    session's row lock and the (session, programme) constraint keep it to one survey."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            session = (
                Session.objects.select_for_update(of=("self",))
                .select_related("action__provider")
                .filter(pk=session.pk)
                .first()
            )
            if session is None or not survey_openable(session, now):
                return None
            if SatisfactionSurvey.objects.filter(session=session, programme=programme).exists():
                return None
            questions = programme_questions(programme)
            enrollments = list(
                Enrollment.objects.filter(session=session, programme=programme, state=EnrollmentState.ENROLLED)
                .select_related("beneficiary")
                .order_by("pk")
            )
            if not questions or not enrollments:
                return None
            survey = SatisfactionSurvey.objects.create(
                session=session,
                programme=programme,
                questions=question_snapshot(questions),
                is_anonymous=programme.survey_is_anonymous,
                opened_at=now,
                closes_at=now + _open_window(),
                invited_count=len(enrollments),
            )
            invitations = SurveyInvitation.objects.bulk_create(
                SurveyInvitation(survey=survey, enrollment=enrollment) for enrollment in enrollments
            )
            for invitation in invitations:
                _tell(invitation, survey=survey, session=session, reminder=False)
    except IntegrityError:
        # Another run opened it between our check and our insert.
        return None
    logger.info(
        "event=survey_opened survey_id=%s session_id=%s invited=%s",
        survey.public_id,
        session.public_id,
        len(invitations),
    )
    return survey


def _describe(session: Session) -> str:
    return (
        f"« {session.action.title} » ({session.action.provider.name}), "
        f"session du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}"
    )


def _tell(invitation: SurveyInvitation, *, survey: SatisfactionSurvey, session: Session, reminder: bool) -> None:
    closes = _day(survey.closes_at)
    anonymity = (
        "Vos réponses sont anonymes : l'organisme de formation ne saura pas qui a répondu quoi."
        if survey.is_anonymous
        else "Vos réponses seront transmises avec votre nom à l'organisme de formation et au financeur."
    )
    if reminder:
        title = f"Rappel : votre avis sur la formation « {session.action.title} »"
        body = (
            f"Vous n'avez pas encore répondu au questionnaire de satisfaction de la formation {_describe(session)}. "
            f"Il reste ouvert jusqu'au {closes} et ne prend que quelques minutes. {anonymity}"
        )
    else:
        title = f"Votre avis sur la formation « {session.action.title} »"
        body = (
            f"Votre formation {_describe(session)} est terminée. Merci de nous dire ce que vous en avez pensé en "
            f"répondant au questionnaire de satisfaction, ouvert jusqu'au {closes}. {anonymity}"
        )
    notify(
        invitation.enrollment.beneficiary,
        category=CATEGORY,
        title=title,
        body=body,
        url=answer_url(invitation),
        email_template=REMINDER_TEMPLATE if reminder else INVITATION_TEMPLATE,
        context={"closes_on": closes, "action_title": session.action.title},
    )


def surveys_open_due(*, now: datetime.datetime | None = None) -> OpenRun:
    """The periodic job's first half: open every survey that is due (module docstring). Idempotent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # A coarse filter on the last day (its last half-day, else its end date; a day of margin for sessions
    # without a timetable); survey_openable decides from the exact end.
    earliest = today - datetime.timedelta(days=settings.PARCOURS_SURVEY_OPEN_DAYS + 1)
    last_slot = Slot.objects.filter(session_id=OuterRef("session_id")).order_by("-date").values("date")[:1]
    pairs = (
        Enrollment.objects.filter(state=EnrollmentState.ENROLLED)
        .exclude(session__status=SessionStatus.CANCELLED)
        .annotate(last_day=Coalesce(Subquery(last_slot), F("session__ends_on")))
        .filter(last_day__lte=today, last_day__gte=earliest)
        .filter(Exists(SurveyQuestion.objects.filter(programme_id=OuterRef("programme_id"))))
        .exclude(
            Exists(
                SatisfactionSurvey.objects.filter(
                    session_id=OuterRef("session_id"), programme_id=OuterRef("programme_id")
                )
            )
        )
        .values_list("session_id", "programme_id")
        .distinct()
        .order_by("session_id", "programme_id")
    )
    run = OpenRun()
    programmes: dict[int, Programme] = {}
    for session_id, programme_id in list(pairs):
        if programme_id not in programmes:
            programmes[programme_id] = Programme.objects.get(pk=programme_id)
        survey = survey_open(session=Session(pk=session_id), programme=programmes[programme_id], now=now)
        if survey is None:
            run.skipped += 1
        else:
            run.opened.append(survey)
            run.invited += survey.invited_count
    return run


# Reminders -------------------------------------------------------------------------------------------------------


@dataclass
class RemindRun:
    reminded: int = 0


def _reminder_days() -> list[int]:
    return sorted({int(day) for day in settings.PARCOURS_SURVEY_REMINDER_DAYS if int(day) > 0})


def reminders_due(survey: SatisfactionSurvey, now: datetime.datetime) -> int:
    """How many reminder days have come since the survey opened (those after it closes never come)."""
    return sum(
        1
        for day in _reminder_days()
        if survey.opened_at + datetime.timedelta(days=day) <= now
        and survey.opened_at + datetime.timedelta(days=day) < survey.closes_at
    )


def survey_remind(*, invitation: SurveyInvitation, now: datetime.datetime | None = None) -> bool:
    """Send the reminder due to one unanswered invitation, if any; at most one, whatever was missed."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            SurveyInvitation.objects.select_for_update(of=("self",))
            .select_related("survey", "enrollment__beneficiary", "enrollment__session__action__provider")
            .get(pk=invitation.pk)
        )
        survey = invitation.survey
        if invitation.has_answered or not (survey.opened_at <= now < survey.closes_at):
            return False
        due = reminders_due(survey, now)
        if invitation.reminders_sent >= due:
            return False
        invitation.reminders_sent = due
        invitation.last_reminded_at = now
        invitation.save(update_fields=["reminders_sent", "last_reminded_at"])
        _tell(invitation, survey=survey, session=invitation.enrollment.session, reminder=True)
    return True


def surveys_remind_due(*, now: datetime.datetime | None = None) -> RemindRun:
    """The periodic job's second half: remind the unanswered invitations of open surveys. Idempotent."""
    now = now or timezone.now()
    run = RemindRun()
    days = _reminder_days()
    if not days:
        return run
    first = datetime.timedelta(days=days[0])
    candidates = (
        SurveyInvitation.objects.filter(
            has_answered=False,
            reminders_sent__lt=len(days),
            survey__opened_at__lte=now - first,
            survey__closes_at__gt=now,
        )
        .select_related("survey")
        .order_by("survey_id", "pk")
    )
    for invitation in candidates.iterator(chunk_size=500):
        if invitation.reminders_sent < reminders_due(invitation.survey, now):
            run.reminded += int(survey_remind(invitation=invitation, now=now))
    return run


# Answering -------------------------------------------------------------------------------------------------------


def _clean_answers(questions: list[dict], answers: dict) -> list[SurveyAnswer]:
    """One unsaved SurveyAnswer per answered question; a missing required answer or a bad value is refused."""
    rows = []
    for question in questions:
        key, kind, label = question["key"], question["kind"], question["label"]
        value = answers.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, ""):
            if question.get("required"):
                raise SurveyRefused(f"Répondez à la question « {label} ».")
            continue
        if kind == QuestionKind.SCALE:
            try:
                number = int(value)
            except (TypeError, ValueError):
                number = None
            if number is None or not SCALE_MIN <= number <= SCALE_MAX:
                raise SurveyRefused(f"« {label} » : choisissez une note de {SCALE_MIN} à {SCALE_MAX}.")
            rows.append(SurveyAnswer(question_key=key, scale_value=number))
        elif kind == QuestionKind.CHOICE:
            if value not in question.get("choices", []):
                raise SurveyRefused(f"« {label} » : choisissez une des réponses proposées.")
            rows.append(SurveyAnswer(question_key=key, choice_value=value))
        else:
            text = str(value)
            if len(text) > TEXT_MAX_LENGTH:
                raise SurveyRefused(f"« {label} » : votre réponse dépasse {TEXT_MAX_LENGTH} caractères.")
            rows.append(SurveyAnswer(question_key=key, text_value=text))
    return rows


def survey_answer(*, invitation: SurveyInvitation, actor, answers: dict, request=None) -> SurveyResponse:
    """Record the trainee's answers, once, while the survey is open.

    `answers`: question key → value (a number for a scale, one of the options for a choice, text). Refused with
    SurveyRefused and nothing changed when already answered, closed or invalid.
    """
    if not (getattr(actor, "is_authenticated", False) and invitation.enrollment.beneficiary_id == actor.pk):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
        survey = SatisfactionSurvey.objects.select_for_update().get(pk=invitation.survey_id)
        if invitation.has_answered:
            raise SurveyRefused(ALREADY_ANSWERED)
        if now >= survey.closes_at:
            raise SurveyRefused(CLOSED.format(day=_day(survey.closes_at)))
        if now < survey.opened_at:
            raise SurveyRefused(NOT_OPEN)
        rows = _clean_answers(survey.questions, answers)
        response = SurveyResponse.objects.create(
            survey=survey,
            enrollment_id=None if survey.is_anonymous else invitation.enrollment_id,
            submitted_on=timezone.localdate(now),
        )
        for row in rows:
            row.response = response
        SurveyAnswer.objects.bulk_create(rows)
        invitation.has_answered = True
        invitation.save(update_fields=["has_answered"])
        SatisfactionSurvey.objects.filter(pk=survey.pk).update(answered_count=F("answered_count") + 1)
        if not survey.is_anonymous:
            # An anonymous answer leaves no event: its time beside the responses' order would name its author.
            audit_record(
                event_type="survey.answered",
                actor=actor,
                target=invitation.enrollment,
                request=request,
                details={"survey": str(survey.public_id), "response": response.pk},
            )
    return response


# The trainee's pages ---------------------------------------------------------------------------------------------


def invitation_for_trainee(user, public_id) -> SurveyInvitation:
    """The invitation, if it is the person's own; else 404 (nothing leaks by id)."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    return get_object_or_404(
        SurveyInvitation.objects.select_related(
            "survey__programme", "enrollment__session__action__provider", "enrollment__beneficiary"
        ),
        public_id=public_id,
        enrollment__beneficiary=user,
    )


def trainee_invitations(user, *, now: datetime.datetime | None = None) -> tuple[list, object]:
    """(to answer, past): the open unanswered invitations (a handful: surveys stay open 30 days), and a queryset
    of the others, answered or closed, newest first (to paginate)."""
    now = now or timezone.now()
    base = SurveyInvitation.objects.filter(enrollment__beneficiary=user).select_related(
        "survey", "enrollment__session__action__provider"
    )
    open_now = Q(has_answered=False, survey__opened_at__lte=now, survey__closes_at__gt=now)
    to_answer = list(base.filter(open_now).order_by("survey__closes_at", "pk"))
    past = base.exclude(open_now).order_by("-survey__opened_at", "-pk")
    return to_answer, past


def survey_is_open(survey: SatisfactionSurvey, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.opened_at <= now < survey.closes_at


def closed_message(survey: SatisfactionSurvey) -> str:
    return CLOSED.format(day=_day(survey.closes_at))


# Who sees the results --------------------------------------------------------------------------------------------


def _operator_ids(user) -> set[int]:
    return {membership.organisation_id for membership in operator_memberships(user)}


@dataclass
class ResultsScope:
    """Which surveys the person sees (a filter on SatisfactionSurvey) and whose responses they may read by name
    (the provider's référents and managers, the programme's operator staff: not the trainers)."""

    surveys: Q
    named: Q


def _session_scope(user, session: Session) -> ResultsScope | None:
    provider = session.action.provider
    if can_manage(user, provider):
        return ResultsScope(surveys=Q(session=session), named=Q(session=session))
    operators = _operator_ids(user)
    operated = bool(operators) and (
        session.action.programmes.filter(operator_id__in=operators).exists()
        or SatisfactionSurvey.objects.filter(session=session, programme__operator_id__in=operators).exists()
    )
    if trains(user, session):
        named = Q(session=session, programme__operator_id__in=operators) if operated else Q(pk__in=[])
        return ResultsScope(surveys=Q(session=session), named=named)
    if operated:
        scope = Q(session=session, programme__operator_id__in=operators)
        return ResultsScope(surveys=scope, named=scope)
    return None


def _action_scope(user, action: TrainingAction) -> ResultsScope | None:
    provider = action.provider
    if can_manage(user, provider):
        return ResultsScope(surveys=Q(session__action=action), named=Q(session__action=action))
    surveys = Q(pk__in=[])
    named = Q(pk__in=[])
    allowed = False
    if has_role(user, provider, TRAINING_ROLES):
        trained = Session.objects.filter(action=action, trainers=user)
        if trained.exists():
            allowed = True
            surveys |= Q(session__in=trained.values("pk"))
    operators = _operator_ids(user)
    if operators and (
        action.programmes.filter(operator_id__in=operators).exists()
        or SatisfactionSurvey.objects.filter(session__action=action, programme__operator_id__in=operators).exists()
    ):
        allowed = True
        operated = Q(session__action=action, programme__operator_id__in=operators)
        surveys |= operated
        named |= operated
    return ResultsScope(surveys=surveys, named=named) if allowed else None


def may_see_session_results(user, session: Session) -> bool:
    """For the links of other pages: the session's provider référents and managers, its trainers, the staff of
    the operator of a programme it runs in."""
    return getattr(user, "is_authenticated", False) and _session_scope(user, session) is not None


def session_for_results(user, public_id) -> tuple[Session, ResultsScope]:
    session = get_object_or_404(Session.objects.select_related("action__provider"), public_id=public_id)
    scope = _session_scope(user, session) if getattr(user, "is_authenticated", False) else None
    if scope is None:
        raise Http404
    return session, scope


def action_for_results(user, public_id) -> tuple[TrainingAction, ResultsScope]:
    action = get_object_or_404(TrainingAction.objects.select_related("provider"), public_id=public_id)
    scope = _action_scope(user, action) if getattr(user, "is_authenticated", False) else None
    if scope is None:
        raise Http404
    return action, scope


def surveys_in(scope: ResultsScope) -> list[SatisfactionSurvey]:
    return list(
        SatisfactionSurvey.objects.filter(scope.surveys)
        .select_related("session", "programme")
        .order_by("session__starts_on", "session_id", "programme__name", "pk")
    )


# Results ---------------------------------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    kind: str
    label: str
    answers: int = 0
    average: str = ""
    bars: list[Bar] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def is_scale(self) -> bool:
        return self.kind == QuestionKind.SCALE

    @property
    def is_choice(self) -> bool:
        return self.kind == QuestionKind.CHOICE

    @property
    def is_text(self) -> bool:
        return self.kind == QuestionKind.TEXT


@dataclass
class Results:
    """The results of some surveys put together, questions grouped by (type, wording)."""

    threshold: int
    invited: int = 0
    received: int = 0
    counted: int = 0
    counted_surveys: list[SatisfactionSurvey] = field(default_factory=list)
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return self.counted >= self.threshold

    @property
    def left_out(self) -> int:
        """Answers of surveys below the threshold, not counted in what is shown."""
        return self.received - self.counted

    @property
    def waiting_message(self) -> str:
        received = f"{self.received} reçue{'s' if self.received > 1 else ''}"
        if self.received < self.threshold:
            return f"Les résultats s'affichent à partir de {self.threshold} réponses ({received} pour l'instant)."
        return (
            f"Les résultats s'affichent à partir de {self.threshold} réponses à un même questionnaire ({received} "
            "pour l'instant, réparties entre plusieurs questionnaires qui n'en comptent pas assez chacun)."
        )


def _percent(count: int, total: int) -> int:
    if not total:
        return 0
    return int((Decimal(100 * count) / Decimal(total)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _average(total: int, count: int) -> str:
    if not count:
        return ""
    value = (Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return str(value).replace(".", ",")


def _sort_key(text: str) -> tuple:
    """Alphabetical for French readers: accents and case set aside first, then kept to break ties."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return (plain.casefold(), text)


def survey_results(surveys: list[SatisfactionSurvey]) -> Results:
    """Averages, distributions and texts of these surveys, counting only the surveys that have at least
    PARCOURS_SURVEY_MIN_ANSWERS answers. Two queries whatever the number of answers."""
    results = Results(threshold=min_answers())
    for survey in surveys:
        results.invited += survey.invited_count
        results.received += survey.answered_count
        if survey.answered_count >= results.threshold:
            results.counted += survey.answered_count
            results.counted_surveys.append(survey)
    if not results.shown:
        return results

    # (survey id, key) → the grouped question; the groups in the order of first appearance.
    groups: dict[tuple, QuestionResult] = {}
    options: dict[tuple, list[str]] = defaultdict(list)
    by_key: dict[tuple, tuple] = {}
    for survey in results.counted_surveys:
        for question in survey.questions:
            group = (question["kind"], " ".join(question["label"].split()).casefold())
            if group not in groups:
                groups[group] = QuestionResult(kind=question["kind"], label=question["label"])
            for option in question.get("choices") or []:
                if option not in options[group]:
                    options[group].append(option)
            by_key[(survey.pk, question["key"])] = group

    ids = [survey.pk for survey in results.counted_surveys]
    scale: dict[tuple, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    choice: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts = (
        SurveyAnswer.objects.filter(response__survey_id__in=ids, text_value="")
        .values("response__survey_id", "question_key", "scale_value", "choice_value")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counts:
        group = by_key.get((row["response__survey_id"], row["question_key"]))
        if group is None:
            continue
        if row["scale_value"] is not None:
            scale[group][row["scale_value"]] += row["n"]
        elif row["choice_value"]:
            choice[group][row["choice_value"]] += row["n"]
    texts: dict[tuple, list[str]] = defaultdict(list)
    for survey_id, key, text in (
        SurveyAnswer.objects.filter(response__survey_id__in=ids)
        .exclude(text_value="")
        .values_list("response__survey_id", "question_key", "text_value")
    ):
        group = by_key.get((survey_id, key))
        if group is not None:
            texts[group].append(text)

    for group, result in groups.items():
        if result.is_scale:
            values = scale[group]
            result.answers = sum(values.values())
            result.average = _average(sum(value * n for value, n in values.items()), result.answers)
            result.bars = [
                Bar(
                    label=_scale_label(value),
                    count=values.get(value, 0),
                    percent=_percent(values.get(value, 0), result.answers),
                )
                for value in range(SCALE_MIN, SCALE_MAX + 1)
            ]
        elif result.is_choice:
            values = choice[group]
            result.answers = sum(values.values())
            labels = options[group] + sorted(set(values) - set(options[group]))
            result.bars = [
                Bar(label=label, count=values.get(label, 0), percent=_percent(values.get(label, 0), result.answers))
                for label in labels
            ]
        else:
            result.texts = sorted(texts[group], key=_sort_key)
            result.answers = len(result.texts)
    results.questions = list(groups.values())
    return results


def _scale_label(value: int) -> str:
    words = SCALE_WORDS.get(value)
    return f"{value} ({words})" if words else str(value)


@dataclass
class NamedResponse:
    name: str
    session: Session
    submitted_on: datetime.date
    answers: list[tuple[str, str]]


def named_responses(results: Results, scope: ResultsScope):
    """The responses of the non-anonymous surveys counted in `results` that the person may read by name,
    a queryset to paginate; `named_rows` turns a page of it into rows."""
    ids = [survey.pk for survey in results.counted_surveys if not survey.is_anonymous]
    return (
        SurveyResponse.objects.filter(survey_id__in=ids, enrollment__isnull=False)
        .filter(survey__in=SatisfactionSurvey.objects.filter(scope.named).values("pk"))
        .select_related("enrollment__beneficiary", "survey__session")
        .prefetch_related("answers")
        .order_by(
            "survey__session__starts_on",
            "enrollment__beneficiary__last_name",
            "enrollment__beneficiary__first_name",
            "pk",
        )
    )


def named_rows(responses) -> list[NamedResponse]:
    rows = []
    for response in responses:
        given = {answer.question_key: answer for answer in response.answers.all()}
        answers = []
        for question in response.survey.questions:
            answer = given.get(question["key"])
            if answer is None:
                value = "—"
            elif answer.scale_value is not None:
                value = f"{answer.scale_value} sur {SCALE_MAX}"
            else:
                value = answer.choice_value or answer.text_value
            answers.append((question["label"], value))
        beneficiary = response.enrollment.beneficiary
        rows.append(
            NamedResponse(
                name=beneficiary.get_full_name() or beneficiary.email,
                session=response.survey.session,
                submitted_on=response.submitted_on,
                answers=answers,
            )
        )
    return rows


# Summaries for other pages ---------------------------------------------------------------------------------------


@dataclass
class SurveySummary:
    """A session's surveys in short (all its programmes together), for a link on another page."""

    session_public_id: object
    invited: int
    answered: int
    opened_at: datetime.datetime
    closes_at: datetime.datetime

    @property
    def url(self) -> str:
        return reverse("satisfaction:session_results", args=[self.session_public_id])

    @property
    def is_open(self) -> bool:
        return self.opened_at <= timezone.now() < self.closes_at


def sessions_survey_summaries(session_ids) -> dict[int, SurveySummary]:
    """{session pk: summary} of the sessions that have a survey, in one query (lists)."""
    rows = (
        SatisfactionSurvey.objects.filter(session_id__in=list(session_ids))
        .values("session_id", "session__public_id")
        .annotate(
            invited=Sum("invited_count"),
            answered=Sum("answered_count"),
            opened_at=Max("opened_at"),
            closes_at=Max("closes_at"),
        )
        .order_by()
    )
    return {
        row["session_id"]: SurveySummary(
            session_public_id=row["session__public_id"],
            invited=row["invited"] or 0,
            answered=row["answered"] or 0,
            opened_at=row["opened_at"],
            closes_at=row["closes_at"],
        )
        for row in rows
    }


def session_survey_summary(session: Session) -> SurveySummary | None:
    """The summary of one session's surveys, or None before any opened (one query). Show its link only to
    people for whom may_see_session_results(user, session) is true."""
    return sessions_survey_summaries([session.pk]).get(session.pk)
