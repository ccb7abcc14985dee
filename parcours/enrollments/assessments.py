"""Assessment of what each trainee learnt, and the two documents that end a training (RULES.md, "Documents of a
training"): the attestation de fin de formation (to the trainee) and the certificat de réalisation (to the funder).

Who does what:
- the session's trainers and the provider's référents and managers record the assessment (a result per objective
  of the action and a comment); it stays editable: issuing the documents again then makes new versions;
- the provider's référents and managers issue the documents, once the session has ended, for enrolled trainees
  only; the trainee is told when a new attestation is issued.

Objectives: TrainingAction.objectives is free text. Each line is an objective, and a line holding ";" is split
there too; bullets ("-", "•", "*", "1.", "a)") and trailing ";" or "," are dropped; a line ending with ":" that
introduces the others ("À l'issue de la formation, vous saurez :") is not an objective. Text without any of this
is one objective.

Documents (documents app, subject "enrollments.enrollment", keys "attestation" and "certificate"): the data kept
with each PDF is everything it shows. Issuing again with the same content keeps the version (and its date and
signatory); a changed assessment, attendance or action makes a new version and keeps the old ones.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from parcours.audit.services import audit_record
from parcours.catalog.enums import ActionNature, Modality
from parcours.catalog.models import Session
from parcours.documents.models import Document
from parcours.documents.services import document_generate, document_latest
from parcours.enrollments.enums import EnrollmentState, ObjectiveResultValue
from parcours.enrollments.hours import hours_done, hours_done_by_enrollment, hours_label
from parcours.enrollments.models import Assessment, AttendanceSheet, Enrollment, ObjectiveResult
from parcours.notifications.inapp import notification_category_register, notify
from parcours.organisations.models import Role
from parcours.organisations.permissions import can_manage, has_role

SUBJECT_TYPE = "enrollments.enrollment"
KIND_ATTESTATION = "attestation"
KIND_CERTIFICATE = "certificate"
CATEGORY_DOCUMENTS = "training_documents"
NOTICE_TEMPLATE = "enrollments/notice"
ATTESTATION_TEMPLATE = "documents/attestation.html"
CERTIFICATE_TEMPLATE = "documents/certificate.html"
NDA_PENDING = "déclaration d'activité en cours d'enregistrement"
# Keys of the document data that do not make a new version by themselves (see _generate).
_ISSUE_KEYS = ("issued_on", "signatory")
# The provider's members who may be the session's trainers (catalog: Session.trainers).
TRAINING_ROLES = frozenset({Role.TRAINER, Role.MANAGER, Role.REFERENT})

ASSESS_CANCELLED = "L'inscription est annulée : ses acquis ne peuvent pas être évalués."
ASSESS_NOT_ENROLLED = "Cette personne n'est pas inscrite à la session : ses acquis ne peuvent pas être évalués."
ASSESS_TOO_EARLY = "La session n'a pas commencé : les acquis s'évaluent à partir de son premier jour."
ISSUE_CANCELLED = "L'inscription est annulée : aucun document de fin de formation ne peut être émis."
ISSUE_NOT_ENROLLED = "Cette personne n'est pas inscrite à la session : aucun document ne peut être émis."
ISSUE_TOO_EARLY = "La session n'est pas terminée : les documents de fin de formation s'émettent après sa fin."
ISSUE_NOT_ASSESSED = (
    "Les acquis de cette personne ne sont pas encore évalués : évaluez-les avant d'émettre l'attestation."
)
ISSUE_SHEET_OPEN = (
    "La feuille d'émargement du {slot} est encore ouverte : fermez-la avant d'émettre le certificat de réalisation."
)


class AssessmentRefused(Exception):
    """The assessment or the document cannot be made; the message is for the person, in French."""


def register() -> None:
    """Called at startup (EnrollmentsConfig.ready): the notification category of these documents.

    The parties of "enrollments.enrollment" documents are registered once by the lead, not here.
    """
    notification_category_register(CATEGORY_DOCUMENTS, "Attestations de fin de formation", mutable=False)


# Objectives ------------------------------------------------------------------------------------------------------

_BULLET = re.compile(r"^\s*(?:[-•*–—·▪◦]+|\(?\d{1,2}[.)]|\(?[a-z][.)](?=\s))\s*", re.IGNORECASE)


def objectives_split(text: str) -> list[str]:
    """The action's objectives, one per line or per ";" (module docstring)."""
    pieces: list[str] = []
    for line in (text or "").splitlines():
        for piece in line.split(";"):
            piece = _BULLET.sub("", piece).strip().rstrip(",;").strip()
            if piece:
                pieces.append(piece)
    if len(pieces) > 1:
        # An introduction ("… vous saurez :") is not an objective; a last line ending with ":" still is.
        pieces = [piece for piece in pieces[:-1] if not piece.endswith(":")] + pieces[-1:]
    return pieces


# Who may do what -------------------------------------------------------------------------------------------------


def trains(user, session: Session) -> bool:
    """A trainer of the session who is still an active member of its provider."""
    if not has_role(user, session.action.provider, TRAINING_ROLES):
        return False
    return session.trainers.filter(pk=user.pk).exists()


def may_assess(user, session: Session) -> bool:
    return can_manage(user, session.action.provider) or trains(user, session)


def may_issue(user, session: Session) -> bool:
    return can_manage(user, session.action.provider)


def session_end(session: Session) -> datetime.datetime:
    """When the last half-day ends (local time); the end of the last day when the session has no slots."""
    tz = timezone.get_current_timezone()
    last = session.slots.order_by("-date", "-ends_at").first()
    if last is not None:
        return datetime.datetime.combine(last.date, last.ends_at, tzinfo=tz)
    return datetime.datetime.combine(session.ends_on + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz)


def session_ended(session: Session, now: datetime.datetime | None = None) -> bool:
    return (now or timezone.now()) >= session_end(session)


def _check_enrolled(enrollment: Enrollment, *, cancelled: str, not_enrolled: str) -> None:
    if enrollment.state == EnrollmentState.CANCELLED:
        raise AssessmentRefused(cancelled)
    if enrollment.state != EnrollmentState.ENROLLED:
        raise AssessmentRefused(not_enrolled)


def _locked(enrollment: Enrollment) -> Enrollment:
    """The enrollment re-read under a row lock: a cancellation meanwhile is seen."""
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("session__action__provider__provider_profile", "beneficiary", "employer", "programme")
        .get(pk=enrollment.pk)
    )


# Assessment ------------------------------------------------------------------------------------------------------


def assessment_record(
    *, enrollment: Enrollment, actor, results: list[str], comment: str = "", request=None
) -> Assessment:
    """Record (or replace) the assessment: one result per objective of the action, in order, and a comment."""
    if not may_assess(actor, enrollment.session):
        raise PermissionDenied
    for value in results:
        if value not in ObjectiveResultValue.values:
            raise AssessmentRefused(
                "Choisissez, pour chaque objectif : atteint, partiellement atteint ou non atteint."
            )
    with transaction.atomic():
        # Read under the lock: the state, the dates and the objectives as they are now.
        enrollment = _locked(enrollment)
        session = enrollment.session
        _check_enrolled(enrollment, cancelled=ASSESS_CANCELLED, not_enrolled=ASSESS_NOT_ENROLLED)
        if timezone.localdate() < session.starts_on:
            raise AssessmentRefused(ASSESS_TOO_EARLY)
        objectives = objectives_split(session.action.objectives)
        if len(results) != len(objectives):
            raise AssessmentRefused("Donnez un résultat pour chaque objectif de l'action.")
        assessment, created = Assessment.objects.update_or_create(
            enrollment=enrollment,
            defaults={"comment": (comment or "").strip(), "assessed_by": actor, "assessed_at": timezone.now()},
        )
        assessment.results.all().delete()
        ObjectiveResult.objects.bulk_create(
            ObjectiveResult(assessment=assessment, position=index, objective=objective, result=value)
            for index, (objective, value) in enumerate(zip(objectives, results, strict=True), start=1)
        )
        audit_record(
            event_type="assessment_recorded" if created else "assessment_changed",
            actor=actor,
            organisation_id=enrollment.provider.public_id,
            target=enrollment,
            request=request,
            details={"results": results},
        )
    return assessment


# Documents -------------------------------------------------------------------------------------------------------


def _date(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _provider_data(provider) -> dict:
    profile = getattr(provider, "provider_profile", None)
    nda = (profile.nda if profile is not None else "") or ""
    return {
        "name": provider.name,
        "siret": provider.siret or "",
        "address": provider.address,
        "postal_code": provider.postal_code,
        "city": provider.city,
        "nda": nda,
        "nda_text": nda or NDA_PENDING,
    }


def _common_data(enrollment: Enrollment) -> dict:
    session = enrollment.session
    action = session.action
    return {
        "provider": _provider_data(enrollment.provider),
        "trainee": {
            "name": enrollment.beneficiary.get_full_name() or enrollment.beneficiary.email,
            "employer": enrollment.employer.name if enrollment.employer_id else "",
        },
        "action": {
            "title": action.title,
            "nature": action.nature,
            "nature_label": action.get_nature_display(),
            "duration_hours": hours_label(action.duration_hours),
            "modality": action.modality,
            "modality_label": action.get_modality_display(),
            "sanction_label": action.get_sanction_display(),
            "certification": action.certification,
        },
        "session": {
            "starts_on": _date(session.starts_on),
            "ends_on": _date(session.ends_on),
            "place": session.place,
        },
        "place": enrollment.provider.city,
    }


def attestation_data(enrollment: Enrollment, *, issued_by) -> dict:
    assessment = Assessment.objects.filter(enrollment=enrollment).select_related("assessed_by").first()
    if assessment is None:
        raise AssessmentRefused(ISSUE_NOT_ASSESSED)
    labels = dict(ObjectiveResultValue.choices)
    return {
        **_common_data(enrollment),
        "results": [
            {"objective": result.objective, "result": result.result, "result_label": labels[result.result]}
            for result in assessment.results.order_by("position")
        ],
        "comment": assessment.comment,
        "assessed_on": _date(timezone.localdate(assessment.assessed_at)),
        "assessed_by": assessment.assessed_by.get_full_name() if assessment.assessed_by else "",
        "issued_on": _date(timezone.localdate()),
        "signatory": issued_by.get_full_name() or issued_by.email,
    }


def certificate_data(enrollment: Enrollment, *, issued_by) -> dict:
    data = _common_data(enrollment)
    data["natures"] = [
        {"value": value, "label": label, "ticked": value == data["action"]["nature"]}
        for value, label in ActionNature.choices
    ]
    data["hours_done"] = hours_label(hours_done(enrollment))
    data["remote"] = data["action"]["modality"] in (Modality.REMOTE, Modality.MIXED)
    data["issued_on"] = _date(timezone.localdate())
    data["signatory"] = issued_by.get_full_name() or issued_by.email
    return data


def _content(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in _ISSUE_KEYS}


def _generate(enrollment: Enrollment, *, kind: str, template: str, data: dict, filename: str, by) -> tuple:
    """(document, new): an unchanged content keeps the latest version, with its first date and signatory."""
    latest = document_latest(kind=kind, subject_type=SUBJECT_TYPE, subject_id=enrollment.public_id, key=kind)
    if latest is not None and _content(latest.data) == _content(data):
        return latest, False
    document = document_generate(
        kind=kind,
        subject_type=SUBJECT_TYPE,
        subject_id=enrollment.public_id,
        key=kind,
        template=template,
        context={},
        data=data,
        filename=filename,
        by=by,
    )
    return document, True


def _filename(prefix: str, enrollment: Enrollment) -> str:
    name = slugify(enrollment.beneficiary.get_full_name()) or "stagiaire"
    return f"{prefix}-{name}.pdf"


def _check_issue(enrollment: Enrollment, actor) -> None:
    if not may_issue(actor, enrollment.session):
        raise PermissionDenied
    _check_enrolled(enrollment, cancelled=ISSUE_CANCELLED, not_enrolled=ISSUE_NOT_ENROLLED)
    if not session_ended(enrollment.session):
        raise AssessmentRefused(ISSUE_TOO_EARLY)


def enrollment_page_url(enrollment: Enrollment) -> str:
    return reverse("assessments:enrollment", args=[enrollment.public_id])


def attestation_issue(*, enrollment: Enrollment, actor, request=None) -> tuple[Document, bool]:
    """The attestation de fin de formation; the trainee is told when a new version is made."""
    with transaction.atomic():
        enrollment = _locked(enrollment)
        _check_issue(enrollment, actor)
        data = attestation_data(enrollment, issued_by=actor)
        document, new = _generate(
            enrollment,
            kind=KIND_ATTESTATION,
            template=ATTESTATION_TEMPLATE,
            data=data,
            filename=_filename("attestation-fin-de-formation", enrollment),
            by=actor,
        )
        if new:
            title = "Votre attestation de fin de formation est disponible"
            if document.version > 1:
                title = "Votre attestation de fin de formation a été mise à jour"
            notify(
                enrollment.beneficiary,
                category=CATEGORY_DOCUMENTS,
                title=title,
                body=(
                    f"{enrollment.provider.name} a émis votre attestation de fin de formation pour "
                    f"« {data['action']['title']} » (session du {data['session']['starts_on']} au "
                    f"{data['session']['ends_on']}). Vous pouvez la télécharger."
                ),
                url=enrollment_page_url(enrollment),
                email_template=NOTICE_TEMPLATE,
                context={"enrollment_description": data["action"]["title"]},
            )
            audit_record(
                event_type="attestation_issued",
                actor=actor,
                organisation_id=enrollment.provider.public_id,
                target=enrollment,
                request=request,
                details={"document": str(document.public_id), "version": document.version},
            )
    return document, new


def first_open_sheet(session_id) -> AttendanceSheet | None:
    """The session's first sheet still open: hours computed now could still change."""
    return (
        AttendanceSheet.objects.filter(slot__session_id=session_id, closed_at__isnull=True)
        .select_related("slot")
        .order_by("slot__date", "slot__starts_at")
        .first()
    )


def _check_sheets_closed(session_id) -> None:
    """The hours come from the attendance: no certificate while a sheet of the session can still change."""
    open_sheet = first_open_sheet(session_id)
    if open_sheet is not None:
        raise AssessmentRefused(ISSUE_SHEET_OPEN.format(slot=open_sheet.slot))


def certificate_issue(*, enrollment: Enrollment, actor, request=None) -> tuple[Document, bool]:
    """The certificat de réalisation, its hours from the attendance; every sheet of the session must be closed."""
    with transaction.atomic():
        enrollment = _locked(enrollment)
        _check_issue(enrollment, actor)
        _check_sheets_closed(enrollment.session_id)
        document, new = _generate(
            enrollment,
            kind=KIND_CERTIFICATE,
            template=CERTIFICATE_TEMPLATE,
            data=certificate_data(enrollment, issued_by=actor),
            filename=_filename("certificat-de-realisation", enrollment),
            by=actor,
        )
        if new:
            audit_record(
                event_type="certificate_issued",
                actor=actor,
                organisation_id=enrollment.provider.public_id,
                target=enrollment,
                request=request,
                details={"document": str(document.public_id), "version": document.version},
            )
    return document, new


@dataclass
class BatchOutcome:
    issued: int = 0
    unchanged: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (trainee's name, why)


def documents_issue_all(*, session: Session, kind: str, actor, request=None) -> BatchOutcome:
    """Every enrolled trainee's attestation (the assessed ones) or certificate, each in its own transaction."""
    if not may_issue(actor, session):
        raise PermissionDenied
    if not session_ended(session):
        raise AssessmentRefused(ISSUE_TOO_EARLY)
    issue = attestation_issue if kind == KIND_ATTESTATION else certificate_issue
    if kind == KIND_CERTIFICATE:
        _check_sheets_closed(session.pk)  # the same for everyone: say it once
    enrollments = Enrollment.objects.filter(session=session, state=EnrollmentState.ENROLLED)
    if kind == KIND_ATTESTATION:
        enrollments = enrollments.filter(assessment__isnull=False)
    outcome = BatchOutcome()
    for enrollment in enrollments.select_related("beneficiary").order_by("beneficiary__last_name", "pk"):
        try:
            _, new = issue(enrollment=enrollment, actor=actor, request=request)
        except AssessmentRefused as error:
            outcome.refused.append((enrollment.beneficiary.get_full_name(), str(error)))
        else:
            outcome.issued += int(new)
            outcome.unchanged += int(not new)
    return outcome


# Selectors -------------------------------------------------------------------------------------------------------

PAGE_SIZE = 50


def session_for_assessments(user, public_id) -> Session:
    """The session, if the person assesses it (its trainers, the provider's référents and managers); else 404."""
    session = get_object_or_404(Session.objects.select_related("action__provider"), public_id=public_id)
    if not may_assess(user, session):
        raise Http404
    return session


def enrollment_for_assessment(user, public_id) -> Enrollment:
    """An enrollment of a session the person assesses; else 404 (nothing leaks by id)."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("session__action__provider", "beneficiary", "employer", "provider"),
        public_id=public_id,
    )
    if not may_assess(user, enrollment.session):
        raise Http404
    return enrollment


def latest_documents(enrollment_public_ids) -> dict[tuple, Document]:
    """{(subject public id, kind): latest version} for these enrollments, in one query."""
    latest: dict[tuple, Document] = {}
    documents = Document.objects.filter(
        subject_type=SUBJECT_TYPE,
        subject_id__in=list(enrollment_public_ids),
        kind__in=[KIND_ATTESTATION, KIND_CERTIFICATE],
    ).order_by("subject_id", "kind", "version")
    for document in documents:
        latest[(document.subject_id, document.kind)] = document
    return latest


@dataclass
class TraineeRow:
    enrollment: Enrollment
    assessment: Assessment | None
    hours: str
    attestation: Document | None
    certificate: Document | None

    @property
    def attestation_outdated(self) -> bool:
        """The assessment changed after the last attestation: issue it again."""
        return bool(self.assessment and self.attestation and self.assessment.assessed_at > self.attestation.created_at)


def session_trainees(session: Session, enrollments: list[Enrollment]) -> list[TraineeRow]:
    """The rows of the session's page for these enrollments (a page): a bounded number of queries."""
    hours = hours_done_by_enrollment(session.pk, [e.pk for e in enrollments])
    documents = latest_documents(e.public_id for e in enrollments)
    return [
        TraineeRow(
            enrollment=enrollment,
            assessment=getattr(enrollment, "assessment", None),
            hours=hours_label(hours[enrollment.pk]),
            attestation=documents.get((enrollment.public_id, KIND_ATTESTATION)),
            certificate=documents.get((enrollment.public_id, KIND_CERTIFICATE)),
        )
        for enrollment in enrollments
    ]


def session_enrollments(session: Session):
    """The enrolled trainees of the session with their assessment and results (to paginate)."""
    return (
        Enrollment.objects.filter(session=session, state=EnrollmentState.ENROLLED)
        .select_related("beneficiary", "employer", "assessment")
        .prefetch_related("assessment__results")
        .order_by("beneficiary__last_name", "beneficiary__first_name", "pk")
    )


def assessment_of(enrollment: Enrollment) -> Assessment | None:
    return (
        Assessment.objects.filter(enrollment=enrollment)
        .select_related("assessed_by")
        .prefetch_related("results")
        .first()
    )
