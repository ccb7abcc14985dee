"""The training offer (../shared/DESIGN.md, "Programmes"): programmes run by operators; providers' actions,
their sessions and the sessions' half-day slots."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateRangeField
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from parcours.catalog.enums import (
    ActionNature,
    ActionStatus,
    CertificationRegistry,
    Funding,
    HalfDay,
    Modality,
    Sanction,
    SessionStatus,
    WhoAsks,
)
from parcours.organisations.models import Organisation


class Programme(models.Model):
    """A funding scheme run by an operator; its rules are data the enrollment workflow reads."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    operator = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField("nom", max_length=200)
    description = models.TextField("présentation", blank=True)
    starts_on = models.DateField("début de la période")
    ends_on = models.DateField("fin de la période")
    who_asks = models.CharField("qui demande", max_length=10, choices=WhoAsks.choices, default=WhoAsks.EMPLOYEE)
    employer_approval = models.BooleanField("l'employeur doit donner son accord", default=True)
    provider_validation = models.BooleanField("l'organisme valide l'inscription", default=True)
    funding = models.CharField("financement", max_length=10, choices=Funding.choices, default=Funding.OPERATOR_FUNDS)
    is_active = models.BooleanField("ouvert", default=True)
    # The satisfaction questionnaire's answers reach the provider without their authors (issue 8).
    survey_is_anonymous = models.BooleanField("questionnaire de satisfaction anonyme pour l'organisme", default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "programme"
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="programme_period")
        ]

    def __str__(self) -> str:
        return self.name

    def runs_on(self, day) -> bool:
        return self.is_active and self.starts_on <= day <= self.ends_on


class TrainingAction(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="training_actions")
    title = models.CharField("intitulé", max_length=200)
    summary = models.TextField("résumé")
    objectives = models.TextField("objectifs")
    audience = models.TextField("public visé")
    prerequisites = models.TextField("prérequis", blank=True)
    nature = models.CharField("nature de l'action", max_length=20, choices=ActionNature.choices)
    duration_hours = models.DecimalField("durée (heures)", max_digits=6, decimal_places=1)
    price = models.DecimalField("prix (euros, TTC)", max_digits=9, decimal_places=2)
    payment_terms = models.TextField("modalités de paiement", blank=True)
    cancellation_terms = models.TextField("conditions d'annulation", blank=True)
    modality = models.CharField("modalité", max_length=10, choices=Modality.choices)
    place = models.CharField("lieu habituel", max_length=250, blank=True)
    # The department of the usual place: the catalog's department filter.
    department_code = models.CharField("département", max_length=3, blank=True, db_index=True)
    accessibility = models.TextField("accessibilité aux personnes en situation de handicap")
    what_to_bring = models.TextField("matériel à apporter", blank=True)
    assessment = models.TextField("modalités d'évaluation")
    sanction = models.CharField("sanction", max_length=20, choices=Sanction.choices)
    certification_registry = models.CharField(
        "répertoire", max_length=4, choices=CertificationRegistry.choices, blank=True
    )
    certification_code = models.CharField("code de la certification", max_length=20, blank=True)
    programmes = models.ManyToManyField(Programme, related_name="actions", blank=True, verbose_name="programmes")
    contact_name = models.CharField("contact", max_length=150, blank=True)
    contact_email = models.EmailField("adresse du contact", blank=True)
    contact_phone = models.CharField("téléphone du contact", max_length=30, blank=True)
    status = models.CharField("statut", max_length=10, choices=ActionStatus.choices, default=ActionStatus.DRAFT)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    # An operator took it off the catalog; the provider sees why.
    unpublished_reason = models.TextField("motif du retrait", blank=True)
    unpublished_at = models.DateTimeField("retirée le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Derived search data (docs/decisions/0014-french-search.md), written by save() and database triggers.
    # The text PostgreSQL indexes with its french_unaccent configuration (beside the title, weighted higher).
    search_text = models.TextField(blank=True, editable=False)
    # The same words normalised in Python for SQLite's FTS5 table: "<title words>\n<other words>".
    search_document = models.TextField(blank=True, editable=False)
    # The start of the earliest open session still taking registrations: the catalog's default sort.
    # Triggers on catalog_session keep it current; catalog.search.next_sessions_refresh() runs daily.
    next_session_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "action de formation"
        verbose_name_plural = "actions de formation"
        indexes = [
            models.Index(fields=["status", "provider"], name="action_status_provider"),
            models.Index(fields=["status", "next_session_on", "id"], name="action_status_next_session"),
            models.Index(fields=["status", "title", "id"], name="action_status_title"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        from parcours.catalog.search import SEARCHED_FIELDS, search_fields

        update_fields = kwargs.get("update_fields")
        if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
            self.search_text, self.search_document = search_fields(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text", "search_document"}
        super().save(*args, **kwargs)

    @property
    def certification(self) -> str:
        return f"{self.certification_registry}{self.certification_code}" if self.certification_code else ""


class Session(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(TrainingAction, on_delete=models.CASCADE, related_name="sessions")
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    place = models.CharField("lieu", max_length=250, blank=True)
    department_code = models.CharField("département", max_length=3, blank=True)
    capacity = models.PositiveIntegerField("nombre de places")
    # How many requests are enrolled: kept exact by the enrollment workflow under the session's row lock, so
    # capacity checks and "places left" read one column instead of counting rows.
    enrolled_count = models.PositiveIntegerField("inscrits", default=0, editable=False)
    registration_deadline = models.DateField("date limite d'inscription")
    status = models.CharField("statut", max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    cancelled_reason = models.TextField("motif de l'annulation", blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="trained_sessions", blank=True, verbose_name="formateurs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "session"
        indexes = [
            models.Index(fields=["action", "status", "starts_on"], name="session_action_status_start"),
            # The public catalog's filters on open sessions: dates, department (catalog.selectors).
            models.Index(
                fields=["starts_on", "action", "registration_deadline"],
                condition=models.Q(status="open"),
                name="session_open_start",
            ),
            models.Index(
                fields=["department_code", "starts_on", "action", "registration_deadline"],
                condition=models.Q(status="open"),
                name="session_open_department",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="session_dates"),
            models.CheckConstraint(
                condition=models.Q(registration_deadline__lte=models.F("starts_on")), name="session_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} — du {self.starts_on:%d/%m/%Y} au {self.ends_on:%d/%m/%Y}"

    def accepts_registrations_on(self, day) -> bool:
        return self.status == SessionStatus.OPEN and day <= self.registration_deadline

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.enrolled_count)


class Slot(models.Model):
    """A half-day of a session: attendance, hours and certificates are computed from these."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    date = models.DateField("date")
    half_day = models.CharField("demi-journée", max_length=10, choices=HalfDay.choices)
    starts_at = models.TimeField("début")
    ends_at = models.TimeField("fin")

    class Meta:
        verbose_name = "demi-journée"
        ordering = ["date", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "date", "half_day"], name="one_slot_per_half_day"),
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="slot_times"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_half_day_display().lower()}"

    @property
    def hours(self) -> float:
        start = self.starts_at.hour * 60 + self.starts_at.minute
        end = self.ends_at.hour * 60 + self.ends_at.minute
        return (end - start) / 60


class DateMultiRangeField(DateRangeField):
    """PostgreSQL's `datemultirange`, which Django lacks: a set of dates. The range field's lookups apply;
    `__overlap` is `&&`, which PostgreSQL defines between a multirange and a range."""

    def db_type(self, connection):
        return "datemultirange"


class ActionSearch(models.Model):
    """PostgreSQL only: the public catalog's narrow search table (docs/decisions/0014-french-search.md).

    One row per visible action (published, of an active provider) with what the search filters, counts and
    sorts on, and the action's `search_vector`: about 500 bytes a row instead of 2 kB, so a common word's
    thousands of matches are counted, filtered and ranked from a table that stays in memory, without joining
    another. Triggers of migrations 0004 and 0006 keep it in step with the actions, their sessions, their
    programmes and their provider's status; nothing else writes it.
    """

    action = models.OneToOneField(
        TrainingAction,
        primary_key=True,
        db_column="id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
    )
    provider_id = models.BigIntegerField()
    modality = models.CharField(max_length=10)
    certification_registry = models.CharField(max_length=4)
    certification_code = models.CharField(max_length=20)
    next_session_on = models.DateField(null=True)
    title = models.CharField(max_length=200)
    search_vector = SearchVectorField()
    programme_ids = ArrayField(models.BigIntegerField(), default=list)
    # The sessions one may ask for on the day the row was written (UTC's): their start dates and departments,
    # and the earliest of their registration deadlines (null without any), after which they are checked again.
    session_starts = DateMultiRangeField()
    session_departments = ArrayField(models.CharField(max_length=3), default=list)
    sessions_until = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "catalog_action_search"

    def __str__(self) -> str:
        return self.title
