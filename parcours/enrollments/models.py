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
