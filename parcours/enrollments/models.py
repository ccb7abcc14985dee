"""Enrollments in the professionalisation programme (seed 001): a bénéficiaire asks for a session, their
employer approves, the provider validates. The states and transitions are in workflows.py."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from parcours.catalog.models import Programme, Session, Slot
from parcours.enrollments.enums import (
    OPEN_STATES,
    AttendanceStatus,
    ConventionStatus,
    EnrollmentState,
    ObjectiveResultValue,
    QuestionKind,
    SessionReportStatus,
    SignatureMethod,
)
from parcours.organisations.models import Organisation


class Enrollment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="enrollments")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="enrollments")
    beneficiary = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments")
    # The bénéficiaire's employer (their membership as employee), whose référents and managers decide.
    employer = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="employee_enrollments"
    )
    # Denormalised from the session's action: the provider's lists filter on it.
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="provider_enrollments")
    state = models.CharField("état", max_length=20, choices=EnrollmentState.choices)
    expectations = models.TextField("attentes du bénéficiaire", blank=True)
    # Who filed it: the bénéficiaire, or an employer's référent or manager enrolling an employee directly.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    state_changed_at = models.DateTimeField("dernier changement", default=timezone.now)
    # The waiting list's order: the first waiting request gets the next free place.
    waitlisted_at = models.DateTimeField("sur liste d'attente depuis", null=True, blank=True)
    # The last decision's reason (refusal, cancellation), shown on the request; the log keeps every one.
    last_reason = models.TextField("dernier motif", blank=True)

    class Meta:
        verbose_name = "inscription"
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "session"],
                condition=models.Q(state__in=OPEN_STATES),
                name="one_open_enrollment_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "state"], name="enrollment_session_state"),
            models.Index(fields=["employer", "state", "created_at"], name="enrollment_employer_state"),
            models.Index(fields=["provider", "state", "created_at"], name="enrollment_provider_state"),
            models.Index(fields=["programme", "state", "created_at"], name="enrollment_programme_state"),
            models.Index(fields=["beneficiary", "state"], name="enrollment_beneficiary_state"),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} — {self.session}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EnrollmentMessage(models.Model):
    """The thread of an enrollment between the bénéficiaire, the provider and the employer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Which party wrote it (beneficiary, employer, provider): shown beside the name.
    author_party = models.CharField("partie", max_length=12)
    body = models.TextField("message")
    created_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "message"
        indexes = [models.Index(fields=["enrollment", "created_at"], name="message_enrollment_created")]

    def __str__(self) -> str:
        return f"{self.author_party}: {self.body[:40]}"


class EnrollmentReadMarker(models.Model):
    """Up to when a person has read an enrollment's thread: unread counts compare messages with it."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="read_markers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrollment", "user"], name="one_read_marker")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.enrollment_id} at {self.last_read_at}"


# Running a session (issue 7): conventions, convocations, attendance, assessments. The PDFs themselves are
# documents.Document rows (subject: this model's label and public id).


class Convention(models.Model):
    """The convention de formation between the provider and one buyer for one session (RULES.md): the employer
    when it pays, the programme's operator when the programme funds the action."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="conventions")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="conventions")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="provider_conventions")
    buyer = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="buyer_conventions")
    status = models.CharField(
        "statut", max_length=20, choices=ConventionStatus.choices, default=ConventionStatus.ISSUED
    )
    issued_at = models.DateTimeField("émise le", default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_at = models.DateTimeField("signée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "convention de formation"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "programme", "buyer"],
                condition=~models.Q(status=ConventionStatus.CANCELLED),
                name="one_live_convention_per_buyer",
            )
        ]

    def __str__(self) -> str:
        return f"Convention {self.provider} — {self.buyer} ({self.session})"


class Convocation(models.Model):
    """A convocation sent to an enrolled person; sent again (a new row) when the session changes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="convocations")
    # The session's data it was made from (dates, place, timetable): a change means a new convocation.
    fingerprint = models.CharField("empreinte de la session", max_length=64)
    sent_at = models.DateTimeField("envoyée le", default=timezone.now)

    class Meta:
        verbose_name = "convocation"
        indexes = [models.Index(fields=["enrollment", "sent_at"], name="convocation_enrollment_sent")]

    def __str__(self) -> str:
        return f"Convocation {self.enrollment_id} {self.sent_at:%Y-%m-%d}"


class AttendanceSheet(models.Model):
    """The émargement of one half-day: opened by a trainer of the session, locked when closed."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slot = models.OneToOneField(Slot, on_delete=models.PROTECT, related_name="attendance_sheet")
    opened_at = models.DateTimeField("ouverte le", default=timezone.now)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    trainer_signed_name = models.CharField("signature du formateur", max_length=200, blank=True)
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "feuille d'émargement"
        verbose_name_plural = "feuilles d'émargement"

    def __str__(self) -> str:
        return f"Émargement {self.slot}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class AttendanceRecord(models.Model):
    """One enrolled person on one sheet: their presence and their signature."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sheet = models.ForeignKey(AttendanceSheet, on_delete=models.CASCADE, related_name="records")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField("présence", max_length=10, choices=AttendanceStatus.choices, blank=True)
    signed_at = models.DateTimeField("signé le", null=True, blank=True)
    signature_method = models.CharField("signature", max_length=20, choices=SignatureMethod.choices, blank=True)
    signer_name = models.CharField("nom saisi", max_length=200, blank=True)
    signer_ip = models.GenericIPAddressField(null=True, blank=True)
    # The one-time code a trainee types on their own device (hashed), and until when it is valid.
    code_hash = models.CharField(max_length=128, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "présence"
        constraints = [models.UniqueConstraint(fields=["sheet", "enrollment"], name="one_record_per_sheet")]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.status or '?'}"


class Assessment(models.Model):
    """The trainer's assessment of what one trainee learnt, per objective of the action."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enrollment = models.OneToOneField(Enrollment, on_delete=models.PROTECT, related_name="assessment")
    comment = models.TextField("appréciation", blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    assessed_at = models.DateTimeField("évalué le", default=timezone.now)

    class Meta:
        verbose_name = "évaluation des acquis"

    def __str__(self) -> str:
        return f"Évaluation {self.enrollment_id}"


class ObjectiveResult(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="results")
    position = models.PositiveSmallIntegerField("rang")
    objective = models.TextField("objectif")
    result = models.CharField("résultat", max_length=12, choices=ObjectiveResultValue.choices)

    class Meta:
        verbose_name = "résultat par objectif"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "position"], name="one_result_per_objective")]

    def __str__(self) -> str:
        return f"{self.objective[:40]}: {self.result}"


# After a session (issue 8): the trainees' satisfaction questionnaire and the provider's bilan.


class SurveyQuestion(models.Model):
    """A question of a programme's satisfaction questionnaire, set by the operator's staff."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="survey_questions")
    position = models.PositiveSmallIntegerField("rang", default=0)
    kind = models.CharField("type de réponse", max_length=10, choices=QuestionKind.choices)
    label = models.CharField("question", max_length=300)
    # The options of a CHOICE question, in order; empty for the others.
    choices = models.JSONField("réponses proposées", default=list, blank=True)
    required = models.BooleanField("réponse obligatoire", default=True)

    class Meta:
        verbose_name = "question du questionnaire de satisfaction"
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


class SatisfactionSurvey(models.Model):
    """The satisfaction questionnaire of one session for one programme's trainees.

    `questions` keeps the programme's questions as they were when it opened, each with a stable `key`
    (answers refer to it), so that editing the programme's questionnaire later never changes what was asked.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="satisfaction_surveys")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="satisfaction_surveys")
    # [{"key": "q1", "kind": "scale", "label": "…", "choices": [...], "required": true}, …]
    questions = models.JSONField("questions")
    is_anonymous = models.BooleanField("anonyme pour l'organisme")
    opened_at = models.DateTimeField("ouvert le", default=timezone.now)
    closes_at = models.DateTimeField("ouvert jusqu'au")
    # Denormalised for the lists and the anonymity threshold: kept under the survey's row lock.
    invited_count = models.PositiveIntegerField("invités", default=0)
    answered_count = models.PositiveIntegerField("réponses", default=0)

    class Meta:
        verbose_name = "questionnaire de satisfaction"
        verbose_name_plural = "questionnaires de satisfaction"
        constraints = [
            models.UniqueConstraint(fields=["session", "programme"], name="one_survey_per_session_programme")
        ]
        indexes = [models.Index(fields=["programme", "opened_at"], name="survey_programme_opened")]

    def __str__(self) -> str:
        return f"Questionnaire {self.session}"


class SurveyInvitation(models.Model):
    """One trainee's invitation to answer a survey.

    It records *whether* they answered, never which response is theirs, nor when (the order or the time of
    the answers could tell an anonymous answer's author).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="invitations")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="survey_invitations")
    has_answered = models.BooleanField("a répondu", default=False)
    reminders_sent = models.PositiveSmallIntegerField("relances envoyées", default=0)
    last_reminded_at = models.DateTimeField("dernière relance", null=True, blank=True)

    class Meta:
        verbose_name = "invitation à répondre"
        constraints = [models.UniqueConstraint(fields=["survey", "enrollment"], name="one_invitation_per_trainee")]
        indexes = [models.Index(fields=["survey", "has_answered"], name="invitation_survey_answered")]

    def __str__(self) -> str:
        return f"Invitation {self.enrollment_id} ({'répondu' if self.has_answered else 'en attente'})"


class SurveyResponse(models.Model):
    """One trainee's answers. `enrollment` is set only when the survey is not anonymous."""

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="responses")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="survey_responses"
    )
    # The day only: a time could be matched against who was on the site then.
    submitted_on = models.DateField("répondu le")

    class Meta:
        verbose_name = "réponse au questionnaire"

    def __str__(self) -> str:
        return f"Réponse au questionnaire {self.survey_id}"


class SurveyAnswer(models.Model):
    """The answer to one question; the column used depends on the question's kind."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField("question", max_length=20)
    scale_value = models.PositiveSmallIntegerField("note", null=True, blank=True)
    choice_value = models.CharField("choix", max_length=200, blank=True)
    text_value = models.TextField("réponse libre", blank=True)

    class Meta:
        verbose_name = "réponse à une question"
        constraints = [models.UniqueConstraint(fields=["response", "question_key"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.question_key}: {self.scale_value or self.choice_value or self.text_value[:30]}"


class SessionReport(models.Model):
    """The bilan de l'action: the provider's end-of-session report to a programme's operator.

    The figures (trainees, hours, attendance rate) are computed from the attendance when the provider submits,
    and kept as submitted: the operator decides on what it was sent.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="reports")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="session_reports")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="session_reports")
    status = models.CharField(
        "statut", max_length=20, choices=SessionReportStatus.choices, default=SessionReportStatus.DRAFT
    )
    results = models.TextField("résultats obtenus", blank=True)
    comments = models.TextField("commentaires", blank=True)
    difficulties = models.TextField("difficultés rencontrées", blank=True)
    trainees_count = models.PositiveIntegerField("stagiaires", default=0)
    planned_hours = models.DecimalField("heures prévues", max_digits=9, decimal_places=2, default=0)
    attended_hours = models.DecimalField("heures suivies", max_digits=9, decimal_places=2, default=0)
    # A percentage (0–100) of the planned hours attended; None when nothing was planned.
    attendance_rate = models.DecimalField("taux d'assiduité", max_digits=5, decimal_places=1, null=True, blank=True)
    # The operator's last request for changes, shown to the provider.
    operator_comment = models.TextField("demande de l'opérateur", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField("transmis le", null=True, blank=True)
    decided_at = models.DateTimeField("accepté le", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "bilan de l'action"
        verbose_name_plural = "bilans de l'action"
        constraints = [models.UniqueConstraint(fields=["session", "programme"], name="one_report_per_session")]
        indexes = [models.Index(fields=["programme", "status"], name="report_programme_status")]

    def __str__(self) -> str:
        return f"Bilan {self.session}"
