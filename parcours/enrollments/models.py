"""Enrollments in the professionalisation programme (seed 001): a bénéficiaire asks for a session, their
employer approves, the provider validates. The states and transitions are in workflows.py."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from parcours.catalog.models import Programme, Session
from parcours.enrollments.enums import OPEN_STATES, EnrollmentState
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
