"""The bilan de l'action (issue 8): the provider's end-of-session report to a programme's operator.

One report per (session, programme), for the programme's trainees enrolled in the session:

    draft --submit--> submitted --request_changes (reason)--> changes_requested --submit--> submitted
    submitted --accept--> accepted                                              (locked: no more edits)

Who does what:
- the provider's référents and managers write it (draft saves are edits, not transitions) and submit it; the
  session's trainers read it;
- the staff of the programme's operator examine what was submitted: accept it, or ask for changes (the reason is
  kept in operator_comment and shown to the provider).

Figures: trainees (the programme's enrolled trainees), hours planned (the session's timetable × trainees), hours
attended (their "present" half-days) and the attendance rate, by the rules of hours.py. They are computed live
while the provider writes, and stored when it submits: the operator decides on what it was sent.

Refused, with a French message and no change: anything before the session has ended (drafts too), submitting
while an attendance sheet of the session is still open or without results, any edit once submitted or accepted.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from parcours.catalog.models import Programme, Session, Slot
from parcours.enrollments.assessments import first_open_sheet, session_ended, trains
from parcours.enrollments.enums import EnrollmentState, SessionReportStatus
from parcours.enrollments.hours import (
    TimeTotals,
    attended_minutes_by_enrollment,
    planned_minutes_by_session,
)
from parcours.enrollments.models import Enrollment, SessionReport
from parcours.enrollments.notifications import managers_of
from parcours.notifications.inapp import notification_category_register, notify_each
from parcours.organisations.permissions import can_manage, operator_memberships
from parcours.workflows.engine import (
    Context,
    Transition,
    TransitionRefused,
    Workflow,
    transition_history,
    transition_run,
)

R = SessionReportStatus
CATEGORY_TO_REVIEW = "session_report_to_review"
CATEGORY_DECISION = "session_report_decision"
NOTICE_TEMPLATE = "enrollments/report_notice"
TEXT_MAX_LENGTH = 5000
PER_PAGE = 25

NOT_ENDED = "La session n'est pas terminée : le bilan se rédige après sa fin."
SHEET_OPEN = (
    "La feuille d'émargement du {slot} est encore ouverte : fermez-la avant de transmettre le bilan, "
    "les heures suivies en dépendent."
)
NO_TRAINEES = "Aucune personne de ce programme n'est inscrite à cette session : il n'y a pas de bilan à rédiger."
RESULTS_REQUIRED = "Décrivez les résultats obtenus : ils sont nécessaires pour transmettre le bilan."
ALREADY_SENT = (
    "Le bilan est transmis à l'opérateur : il ne peut plus être modifié, "
    "sauf si l'opérateur demande des modifications."
)
ACCEPTED_LOCKED = "Le bilan est accepté par l'opérateur : il ne peut plus être modifié."
NOT_TO_REVIEW = "Ce bilan n'attend pas de décision : il est « {status} »."
REASON_REQUIRED = "Indiquez les modifications attendues : elles sont transmises à l'organisme de formation."


class ReportRefused(TransitionRefused):
    """The bilan cannot be written or decided now; the message is for the person, in French."""


def register() -> None:
    """Called at startup (EnrollmentsConfig.ready): the notification categories of the bilans."""
    notification_category_register(CATEGORY_TO_REVIEW, "Bilans de l'action à examiner", mutable=True)
    notification_category_register(CATEGORY_DECISION, "Décisions sur les bilans de l'action", mutable=False)


# When a session ends (assessments.session_end, for many sessions in one query) -----------------------------------


def with_session_end(queryset: QuerySet, *, session_ref: str = "pk") -> QuerySet:
    """Annotate `last_slot_date` and `last_slot_ends_at`: the session's last half-day (two subqueries)."""
    last = Slot.objects.filter(session_id=OuterRef(session_ref)).order_by("-date", "-ends_at")
    return queryset.annotate(
        last_slot_date=Subquery(last.values("date")[:1]), last_slot_ends_at=Subquery(last.values("ends_at")[:1])
    )


def ended_q(now: datetime.datetime, *, ends_on: str = "ends_on") -> Q:
    """The sessions (annotated by with_session_end) ended at `now`, by the rule of assessments.session_end."""
    local = timezone.localtime(now)
    today, time = local.date(), local.time().replace(microsecond=0)
    return (
        Q(last_slot_date__lt=today)
        | Q(last_slot_date=today, last_slot_ends_at__lte=time)
        | Q(last_slot_date__isnull=True, **{f"{ends_on}__lt": today})
    )


def ended_from(last_slot_date, last_slot_ends_at, ends_on: datetime.date, now: datetime.datetime) -> bool:
    """The same rule for one annotated row."""
    tz = timezone.get_current_timezone()
    if last_slot_date is not None:
        end = datetime.datetime.combine(last_slot_date, last_slot_ends_at, tzinfo=tz)
    else:
        end = datetime.datetime.combine(ends_on + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz)
    return now >= end


def session_is_ended(session: Session, now: datetime.datetime | None = None) -> bool:
    return session_ended(session, now)


# Figures ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFigures(TimeTotals):
    trainees: int
    planned_minutes: int
    attended_minutes: int

    @property
    def rate(self) -> Decimal | None:
        return self.attendance_rate


def _enrolled(session_id: int, programme_id: int) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(session_id=session_id, programme_id=programme_id, state=EnrollmentState.ENROLLED)


def report_figures(*, session: Session, programme: Programme) -> ReportFigures:
    """The programme's enrolled trainees of the session, their planned and attended time (three queries)."""
    enrollment_ids = list(_enrolled(session.pk, programme.pk).values_list("pk", flat=True))
    timetable = planned_minutes_by_session([session.pk]).get(session.pk, 0)
    attended = attended_minutes_by_enrollment(enrollment_ids) if enrollment_ids else {}
    return ReportFigures(
        trainees=len(enrollment_ids),
        planned_minutes=timetable * len(enrollment_ids),
        attended_minutes=sum(attended.values()),
    )


def stored_figures(report: SessionReport) -> dict:
    """The figures as submitted (what the operator decides on)."""
    return {
        "trainees": report.trainees_count,
        "planned_hours": report.planned_hours,
        "attended_hours": report.attended_hours,
        "rate": report.attendance_rate,
    }


def live_figures(figures: ReportFigures) -> dict:
    return {
        "trainees": figures.trainees,
        "planned_hours": figures.planned_hours,
        "attended_hours": figures.attended_hours,
        "rate": figures.rate,
    }


# Who may do what -------------------------------------------------------------------------------------------------


def writes_report(user, session: Session) -> bool:
    """The provider's référents and managers."""
    return can_manage(user, session.action.provider)


def reads_report(user, session: Session) -> bool:
    """Those who write it, and the session's trainers."""
    return writes_report(user, session) or trains(user, session)


def reviews_report(user, programme: Programme) -> bool:
    """The staff of the programme's operator."""
    return any(membership.organisation_id == programme.operator_id for membership in operator_memberships(user))


def _provider_side(actor, report: SessionReport) -> bool:
    return can_manage(actor, report.provider)


def _operator_side(actor, report: SessionReport) -> bool:
    return reviews_report(actor, report.programme)


# Guards and effects of the workflow ------------------------------------------------------------------------------


def _submittable(context: Context) -> str | None:
    report = context.obj
    if not report.results.strip():
        return RESULTS_REQUIRED
    if not session_is_ended(report.session):
        return NOT_ENDED
    if (sheet := first_open_sheet(report.session_id)) is not None:
        return SHEET_OPEN.format(slot=sheet.slot)
    if not _enrolled(report.session_id, report.programme_id).exists():
        return NO_TRAINEES
    return None


def _store_figures(context: Context) -> None:
    report = context.obj
    figures = report_figures(session=report.session, programme=report.programme)
    now = timezone.now()
    report.trainees_count = figures.trainees
    report.planned_hours = figures.planned_hours
    report.attended_hours = figures.attended_hours
    report.attendance_rate = figures.rate
    report.submitted_at = now
    report.updated_at = now
    report.save(
        update_fields=[
            "trainees_count",
            "planned_hours",
            "attended_hours",
            "attendance_rate",
            "submitted_at",
            "updated_at",
        ]
    )


def _keep_request(context: Context) -> None:
    report = context.obj
    report.operator_comment = context.reason
    report.updated_at = timezone.now()
    report.save(update_fields=["operator_comment", "updated_at"])


def _decide(context: Context) -> None:
    report = context.obj
    report.decided_at = timezone.now()
    report.decided_by = context.actor
    report.save(update_fields=["decided_at", "decided_by"])


def describe(report: SessionReport) -> str:
    session = report.session
    return (
        f"« {session.action.title} », session du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y} "
        f"(programme {report.programme.name})"
    )


def provider_url(report: SessionReport) -> str:
    return reverse("reports:edit", args=[report.session.public_id, report.programme.public_id])


def operator_url(report: SessionReport) -> str:
    return reverse("reports:review", args=[report.public_id])


def _tell(people, *, actor, category: str, title: str, body: str, url: str, report: SessionReport) -> int:
    """Each person once, never the one who acted."""
    return notify_each(
        people,
        actor=actor,
        category=category,
        title=title,
        body=body,
        url=url,
        email_template=NOTICE_TEMPLATE,
        context={"report_description": describe(report)},
    )


def _notify_operator(context: Context) -> None:
    report = context.obj
    again = context.from_state == R.CHANGES_REQUESTED
    _tell(
        managers_of(report.programme.operator),
        actor=context.actor,
        category=CATEGORY_TO_REVIEW,
        title="Un bilan de l'action modifié est à examiner" if again else "Un bilan de l'action est à examiner",
        body=f"{report.provider.name} a transmis {'de nouveau ' if again else ''}le bilan de {describe(report)}. "
        "Vous pouvez l'accepter ou demander des modifications.",
        url=operator_url(report),
        report=report,
    )


def _notify_changes_requested(context: Context) -> None:
    report = context.obj
    _tell(
        managers_of(report.provider),
        actor=context.actor,
        category=CATEGORY_DECISION,
        title="L'opérateur demande des modifications du bilan de l'action",
        body=f"{report.programme.operator.name} demande des modifications du bilan de {describe(report)}. "
        f"Demande : {context.reason}",
        url=provider_url(report),
        report=report,
    )


def _notify_accepted(context: Context) -> None:
    report = context.obj
    _tell(
        managers_of(report.provider),
        actor=context.actor,
        category=CATEGORY_DECISION,
        title="Le bilan de l'action est accepté",
        body=f"{report.programme.operator.name} a accepté le bilan de {describe(report)}.",
        url=provider_url(report),
        report=report,
    )


REPORT_WORKFLOW = Workflow(
    name="session_report",
    model=SessionReport,
    state_field="status",
    states=SessionReportStatus,
    transitions=(
        Transition(
            source=(R.DRAFT, R.CHANGES_REQUESTED),
            action="submit",
            target=R.SUBMITTED,
            allowed=_provider_side,
            guard=_submittable,
            effects=(_store_figures, _notify_operator),
            label="Transmettre à l'opérateur",
        ),
        Transition(
            source=R.SUBMITTED,
            action="request_changes",
            target=R.CHANGES_REQUESTED,
            allowed=_operator_side,
            effects=(_keep_request, _notify_changes_requested),
            reason_required=True,
            label="Demander des modifications",
        ),
        Transition(
            source=R.SUBMITTED,
            action="accept",
            target=R.ACCEPTED,
            allowed=_operator_side,
            effects=(_decide, _notify_accepted),
            label="Accepter le bilan",
        ),
    ),
)

# The states where the provider may still change the texts.
EDITABLE = (R.DRAFT, R.CHANGES_REQUESTED)


# Services --------------------------------------------------------------------------------------------------------


def _check_editable(report: SessionReport) -> None:
    if report.status == R.ACCEPTED:
        raise ReportRefused(ACCEPTED_LOCKED)
    if report.status not in EDITABLE:
        raise ReportRefused(ALREADY_SENT)


def _clean(text: str) -> str:
    return (text or "").strip()[:TEXT_MAX_LENGTH]


@transaction.atomic
def report_save(
    *,
    session: Session,
    programme: Programme,
    actor,
    results: str = "",
    comments: str = "",
    difficulties: str = "",
) -> SessionReport:
    """Save the texts as a draft (the report is created the first time). Refused before the session's end."""
    if not writes_report(actor, session):
        raise PermissionDenied
    if not session_is_ended(session):
        raise ReportRefused(NOT_ENDED)
    if not _enrolled(session.pk, programme.pk).exists():
        raise ReportRefused(NO_TRAINEES)
    report, _ = SessionReport.objects.get_or_create(
        session=session, programme=programme, defaults={"provider": session.action.provider}
    )
    # Re-read under the row lock: an operator's decision or another tab meanwhile is seen.
    report = SessionReport.objects.select_for_update().get(pk=report.pk)
    _check_editable(report)
    report.results, report.comments, report.difficulties = _clean(results), _clean(comments), _clean(difficulties)
    report.updated_at = timezone.now()
    report.save(update_fields=["results", "comments", "difficulties", "updated_at"])
    return report


def report_submit(
    *,
    session: Session,
    programme: Programme,
    actor,
    results: str,
    comments: str = "",
    difficulties: str = "",
    request=None,
) -> SessionReport:
    """Save the texts and send the bilan to the operator with its figures as computed now; all or nothing."""
    try:
        with transaction.atomic():
            report = report_save(
                session=session,
                programme=programme,
                actor=actor,
                results=results,
                comments=comments,
                difficulties=difficulties,
            )
            return transition_run(REPORT_WORKFLOW, report, "submit", actor=actor, request=request)
    except ReportRefused:
        raise
    except TransitionRefused as error:
        # The workflow's guards speak for the bilan too: one exception for the callers.
        raise ReportRefused(str(error)) from error


def _locked_for_review(report: SessionReport, actor) -> SessionReport:
    if not reviews_report(actor, report.programme):
        raise PermissionDenied
    locked = SessionReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != R.SUBMITTED:
        raise ReportRefused(NOT_TO_REVIEW.format(status=R(locked.status).label.lower()))
    return locked


def report_accept(*, report: SessionReport, actor, request=None) -> SessionReport:
    with transaction.atomic():
        locked = _locked_for_review(report, actor)
        return transition_run(REPORT_WORKFLOW, locked, "accept", actor=actor, request=request)


def report_request_changes(*, report: SessionReport, actor, reason: str, request=None) -> SessionReport:
    if not (reason or "").strip():
        raise ReportRefused(REASON_REQUIRED)
    with transaction.atomic():
        locked = _locked_for_review(report, actor)
        return transition_run(
            REPORT_WORKFLOW, locked, "request_changes", actor=actor, reason=reason.strip(), request=request
        )


# Selectors -------------------------------------------------------------------------------------------------------


def report_of(session: Session, programme: Programme) -> SessionReport | None:
    return SessionReport.objects.filter(session=session, programme=programme).first()


def report_history(report: SessionReport):
    return transition_history(report)


def report_target(user, session_public_id, programme_public_id) -> tuple[Session, Programme, SessionReport | None]:
    """The session, the programme and its report (if any) for the provider's page; 404 unless the person reads
    the session's reports and the programme has (or had) a bilan to write in it."""
    session = get_object_or_404(Session.objects.select_related("action__provider"), public_id=session_public_id)
    if not reads_report(user, session):
        raise Http404
    programme = get_object_or_404(Programme.objects.select_related("operator"), public_id=programme_public_id)
    report = report_of(session, programme)
    if report is None and not _enrolled(session.pk, programme.pk).exists():
        raise Http404
    return session, programme, report


@dataclass
class ReportRow:
    session: Session
    programme: Programme
    trainees: int
    report: SessionReport | None

    @property
    def status(self) -> str:
        return self.report.status if self.report is not None else ""

    @property
    def status_label(self) -> str:
        return self.report.get_status_display() if self.report is not None else "À rédiger"

    @property
    def url(self) -> str:
        return reverse("reports:edit", args=[self.session.public_id, self.programme.public_id])


def provider_report_pairs(provider, *, sent: bool, now=None, trainer=None) -> QuerySet:
    """The (session, programme) pairs of the provider's ended sessions with enrolled trainees, as dicts with
    `session_id`, `programme_id`, `trainees`: those to write (no report, draft, changes requested) or those sent
    (submitted, accepted); the latest sessions first. Only the sessions `trainer` trains when given."""
    sessions = with_session_end(Session.objects.filter(action__provider=provider))
    sessions = sessions.filter(ended_q(now or timezone.now()))
    if trainer is not None:
        sessions = sessions.filter(trainers=trainer)
    status = SessionReport.objects.filter(session_id=OuterRef("session_id"), programme_id=OuterRef("programme_id"))
    pairs = (
        Enrollment.objects.filter(provider=provider, state=EnrollmentState.ENROLLED, session__in=sessions.values("pk"))
        .values("session_id", "programme_id")
        .annotate(trainees=Count("pk"), report_status=Subquery(status.values("status")[:1]))
    )
    if sent:
        pairs = pairs.filter(report_status__in=[R.SUBMITTED, R.ACCEPTED])
    else:
        pairs = pairs.filter(Q(report_status__isnull=True) | Q(report_status__in=EDITABLE))
    return pairs.order_by("-session__ends_on", "-session_id", "programme_id")


def report_rows(pairs) -> list[ReportRow]:
    """The rows of a page of pairs: sessions, programmes and reports in three queries."""
    pairs = list(pairs)
    sessions = Session.objects.select_related("action").in_bulk({pair["session_id"] for pair in pairs})
    programmes = Programme.objects.select_related("operator").in_bulk({pair["programme_id"] for pair in pairs})
    reports = {
        (report.session_id, report.programme_id): report
        for report in SessionReport.objects.filter(
            session_id__in={pair["session_id"] for pair in pairs},
            programme_id__in={pair["programme_id"] for pair in pairs},
        )
    }
    return [
        ReportRow(
            session=sessions[pair["session_id"]],
            programme=programmes[pair["programme_id"]],
            trainees=pair["trainees"],
            report=reports.get((pair["session_id"], pair["programme_id"])),
        )
        for pair in pairs
    ]


def reports_for_session(session: Session) -> list[ReportRow]:
    """The bilans of a session, one per programme of its enrolled trainees or with a report, for the provider's
    session page: status label and link (three queries)."""
    enrolled = Enrollment.objects.filter(session=session, state=EnrollmentState.ENROLLED)
    counts = dict(enrolled.values_list("programme_id").annotate(count=Count("pk")).order_by())
    reports = {report.programme_id: report for report in SessionReport.objects.filter(session=session)}
    programmes = Programme.objects.select_related("operator").in_bulk(set(counts) | set(reports))
    return [
        ReportRow(session=session, programme=programmes[pk], trainees=counts.get(pk, 0), report=reports.get(pk))
        for pk in sorted(programmes, key=lambda pk: (programmes[pk].name, pk))
    ]


OPERATOR_STATUSES = (R.SUBMITTED, R.CHANGES_REQUESTED, R.ACCEPTED)


def operator_reports(operator, *, status: str = "") -> QuerySet[SessionReport]:
    """The bilans sent to the operator's programmes (drafts are the provider's business): those to examine
    first, then the latest sent."""
    statuses = (status,) if status in OPERATOR_STATUSES else OPERATOR_STATUSES
    return (
        SessionReport.objects.filter(programme__operator=operator, status__in=statuses)
        .select_related("session__action", "programme", "provider")
        .annotate(
            to_review=Case(When(status=R.SUBMITTED, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("to_review", "-submitted_at", "-pk")
    )


def operator_counts(operator) -> dict[str, int]:
    counts = dict(
        SessionReport.objects.filter(programme__operator=operator, status__in=OPERATOR_STATUSES)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status in OPERATOR_STATUSES}


def report_for_review(user, public_id) -> SessionReport:
    """A bilan sent to an operator the person works for; 404 otherwise (drafts included: not sent)."""
    report = get_object_or_404(
        SessionReport.objects.select_related("session__action", "programme__operator", "provider", "decided_by"),
        public_id=public_id,
    )
    if report.status == R.DRAFT or not reviews_report(user, report.programme):
        raise Http404
    return report
