import uuid

from django.conf import settings
from django.db import models
from django.db.models import Lookup
from django.utils import timezone

from parcours.organisations.directory.text import search_text

# Reference directories: copies of the official open-data files, loaded by import_uai and import_sirene
# (parcours/organisations/directory/). Nothing here is typed by a person; the tables are reloaded whole.


class SearchTextField(models.TextField):
    """Upper-case words of ASCII letters and digits separated by spaces (directory/text.py), searched by
    word prefixes: `search_text__words_start=["LYC", "ARSON"]` finds "LYCEE D ARSONVAL".
    """


@SearchTextField.register_lookup
class WordsStart(Lookup):
    """Every word given starts a word of the text.

    PostgreSQL: a prefix full-text query that the GIN index of migration 0001 answers. Elsewhere (SQLite):
    LIKE '% WORD%' on the text with a space in front, the same matches without an index.
    """

    lookup_name = "words_start"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self._words()
        if not words:
            return "1 = 1", []
        params = []
        for word in words:
            params += [*lhs_params, f"% {word}%"]
        return " AND ".join([f"(' ' || {lhs}) LIKE %s"] * len(words)), params

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        words = self._words()
        if not words:
            return "TRUE", []
        # The words as lexemes as they are, no text parser (the index builds twice as fast); a tsquery cast
        # from text keeps their case too. Same expression as the index of migration 0001.
        return f"array_to_tsvector(string_to_array({lhs}, ' ')) @@ CAST(%s AS tsquery)", [
            *lhs_params,
            " & ".join(f"{word}:*" for word in words),
        ]

    def _words(self) -> list[str]:
        # Only letters and digits reach the SQL: nothing to escape in LIKE or in a tsquery.
        words = [str(word) for word in self.rhs]
        if not all(word.isascii() and word.isalnum() for word in words):
            raise ValueError("words_start takes words of ASCII letters and digits (directory.text.search_words).")
        return words


class SchoolKind(models.TextChoices):
    COLLEGE = "college", "Collège"
    LYCEE = "lycee", "Lycée"
    OTHER = "other", "Autre établissement"


class SchoolEmailOrigin(models.TextChoices):
    DIRECTORY = "directory", "Adresse de l'annuaire de l'éducation"
    DERIVED = "derived", "Adresse déduite : ce.<uai>@<domaine de l'académie>"
    TO_CHECK = "to_check", "Adresse à vérifier par un opérateur"


class DirectorySchool(models.Model):
    """One row of the Annuaire de l'éducation, keyed by its UAI."""

    uai = models.CharField("UAI", max_length=8, primary_key=True)
    name = models.TextField("nom")
    kind = models.CharField("type", max_length=10, choices=SchoolKind.choices)
    is_public = models.BooleanField("public")
    address = models.TextField("adresse", blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.TextField("commune", blank=True)
    department_code = models.CharField("département", max_length=3, blank=True)
    academy_code = models.CharField("code de l'académie", max_length=3, blank=True)
    academy_name = models.TextField("académie", blank=True)
    # Lower-cased; empty when an operator must check it (email_origin says which case it is).
    email = models.EmailField("adresse électronique officielle", blank=True)
    email_origin = models.CharField("origine de l'adresse", max_length=10, choices=SchoolEmailOrigin.choices)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    is_open = models.BooleanField("ouvert")
    # The words (UAI, name, commune, postal code) that the search matches.
    search_text = SearchTextField(editable=False)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)

    class Meta:
        verbose_name = "établissement scolaire (annuaire)"
        verbose_name_plural = "établissements scolaires (annuaire)"

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    @property
    def email_derived(self) -> bool:
        return self.email_origin == SchoolEmailOrigin.DERIVED

    @property
    def email_needs_check(self) -> bool:
        return self.email_origin == SchoolEmailOrigin.TO_CHECK


class DirectoryEstablishment(models.Model):
    """One establishment of the SIRENE stock, keyed by its SIRET, named after its legal unit.

    A non-diffusible establishment (statutDiffusionEtablissement = P) is stored without its name and address.
    """

    siret = models.CharField("SIRET", max_length=14, primary_key=True)
    siren = models.CharField("SIREN", max_length=9)
    name = models.TextField("nom", blank=True)
    address = models.TextField("adresse", blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    commune = models.TextField("commune", blank=True)
    department_code = models.CharField("département", max_length=3, blank=True)
    naf_code = models.CharField("code NAF", max_length=6, blank=True)
    is_active = models.BooleanField("actif")
    is_diffusible = models.BooleanField("diffusible")
    is_head_office = models.BooleanField("siège")
    # The words (name, commune, postal code) that the search matches; empty when closed or non-diffusible
    # (no search returns those).
    search_text = SearchTextField(editable=False, blank=True)
    updated_at = models.DateTimeField("mis à jour le", default=timezone.now)

    class Meta:
        verbose_name = "établissement (SIRENE)"
        verbose_name_plural = "établissements (SIRENE)"
        # Not db_index: on PostgreSQL that adds a second, pattern-matching index nobody uses.
        indexes = [models.Index(fields=["siren"], name="organisations_siren_idx")]

    def __str__(self) -> str:
        return f"{self.name or 'non diffusible'} ({self.siret})"


# Organisations: the structures people belong to (../shared/DESIGN.md, "Parties", "Organisations").
# One row per SIRET or UAI; a profile per kind the organisation has (a company can be employer and provider).


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", "En attente de validation"
    ACTIVE = "active", "Active"
    CLOSED = "closed", "Fermée"


class OrganisationKind(models.TextChoices):
    EMPLOYER = "employer", "Employeur"
    PROVIDER = "provider", "Organisme de formation"
    SCHOOL = "school", "Établissement scolaire"
    OPERATOR = "operator", "Opérateur"


class Organisation(models.Model):
    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, null=True, blank=True, unique=True)
    # The SIREN groups an employer's establishments; kept from the SIRET for that query.
    siren = models.CharField("SIREN", max_length=9, blank=True, db_index=True)
    uai = models.CharField("UAI", max_length=8, null=True, blank=True, unique=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    postal_code = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("commune", max_length=150, blank=True)
    # Routes the organisation's requests to the operator whose territory holds it.
    department_code = models.CharField("département", max_length=3, blank=True, db_index=True)
    status = models.CharField(
        "statut", max_length=10, choices=OrganisationStatus.choices, default=OrganisationStatus.PENDING
    )
    # Denormalised from the profiles so lists and the switcher read one row.
    is_employer = models.BooleanField("employeur", default=False)
    is_provider = models.BooleanField("organisme de formation", default=False)
    is_school = models.BooleanField("établissement scolaire", default=False)
    is_operator = models.BooleanField("opérateur", default=False)
    created_at = models.DateTimeField("créée le", default=timezone.now)
    validated_at = models.DateTimeField("validée le", null=True, blank=True)
    closed_at = models.DateTimeField("fermée le", null=True, blank=True)
    # Name, commune, postal code and identifiers as unaccented words (directory/text.py), kept by save():
    # "societe marche" finds "Société du Marché" through the words_start lookup and its index (migration 0003).
    search_text = SearchTextField(editable=False, blank=True)

    class Meta:
        verbose_name = "organisation"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siret__isnull=False) | models.Q(uai__isnull=False) | models.Q(is_operator=True),
                name="organisation_has_an_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = search_text(self.name, self.city, self.postal_code, self.siret or "", self.uai or "")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def kinds(self) -> list[str]:
        flags = {
            OrganisationKind.EMPLOYER: self.is_employer,
            OrganisationKind.PROVIDER: self.is_provider,
            OrganisationKind.SCHOOL: self.is_school,
            OrganisationKind.OPERATOR: self.is_operator,
        }
        return [kind for kind, on in flags.items() if on]

    @property
    def kinds_label(self) -> str:
        return ", ".join(OrganisationKind(kind).label.lower() for kind in self.kinds).capitalize()

    @property
    def identifier(self) -> str:
        return self.siret or self.uai or ""

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE

    @property
    def is_pending(self) -> bool:
        return self.status == OrganisationStatus.PENDING


class EmployerProfile(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="employer_profile")
    naf_code = models.CharField("code NAF", max_length=6, blank=True)

    class Meta:
        verbose_name = "profil employeur"

    def __str__(self) -> str:
        return str(self.organisation)


class QualiopiScope(models.TextChoices):
    TRAINING = "training", "Actions de formation"
    SKILLS_ASSESSMENT = "skills_assessment", "Bilans de compétences"
    VAE = "vae", "Actions de VAE"
    APPRENTICESHIP = "apprenticeship", "Actions de formation par apprentissage"


class ProviderProfile(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="provider_profile")
    # Numéro de déclaration d'activité: given after the first convention, so optional (RULES.md).
    nda = models.CharField("numéro de déclaration d'activité", max_length=11, blank=True)
    qualiopi_number = models.CharField("numéro du certificat Qualiopi", max_length=60, blank=True)
    qualiopi_certifier = models.CharField("organisme certificateur", max_length=150, blank=True)
    qualiopi_valid_from = models.DateField("certificat valable du", null=True, blank=True)
    qualiopi_valid_until = models.DateField("certificat valable jusqu'au", null=True, blank=True)
    # QualiopiScope values.
    qualiopi_scope = models.JSONField("périmètre de la certification", default=list, blank=True)

    class Meta:
        verbose_name = "profil organisme de formation"

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def qualiopi_scope_labels(self) -> list[str]:
        return [QualiopiScope(value).label for value in self.qualiopi_scope if value in QualiopiScope.values]

    def qualiopi_valid_on(self, day) -> bool:
        return bool(
            self.qualiopi_number
            and self.qualiopi_valid_from
            and self.qualiopi_valid_until
            and self.qualiopi_valid_from <= day <= self.qualiopi_valid_until
        )


class SchoolProfile(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="school_profile")
    kind = models.CharField("type", max_length=10, choices=SchoolKind.choices)
    academy_code = models.CharField("code de l'académie", max_length=3, blank=True)
    academy_name = models.CharField("académie", max_length=100, blank=True)
    # The founding account's login (seed 002): the directory's address or ce.<uai>@<académie>.
    official_email = models.EmailField("adresse électronique officielle", blank=True)
    hosts_mini_internships = models.BooleanField("accueille des mini-stages", default=False)

    class Meta:
        verbose_name = "profil établissement scolaire"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hosts_mini_internships=False) | models.Q(kind=SchoolKind.LYCEE),
                name="only_a_lycee_hosts_mini_internships",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class OperatorProfile(models.Model):
    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="operator_profile")
    # Department codes ("75", "2A", "971"); a handful of operators, read whole (selectors.operators_for_department).
    departments = models.JSONField("territoire (départements)", default=list)

    class Meta:
        verbose_name = "profil opérateur"

    def __str__(self) -> str:
        return str(self.organisation)


class Role(models.TextChoices):
    REFERENT = "referent", "Référent"
    MANAGER = "manager", "Gestionnaire"
    EMPLOYEE = "employee", "Salarié bénéficiaire"
    TRAINER = "trainer", "Formateur"


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    ACTIVE = "active", "Active"
    REVOKED = "revoked", "Retirée"


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=10, choices=Role.choices)
    status = models.CharField(
        "statut", max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.PENDING
    )
    job_title = models.CharField("fonction", max_length=150, blank=True)
    created_at = models.DateTimeField("demandée le", default=timezone.now)
    activated_at = models.DateTimeField("active depuis le", null=True, blank=True)
    revoked_at = models.DateTimeField("retirée le", null=True, blank=True)

    class Meta:
        verbose_name = "appartenance"
        constraints = [
            # One live membership per person and organisation; revoked ones stay as history.
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=~models.Q(status=MembershipStatus.REVOKED),
                name="one_live_membership_per_user_and_organisation",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "status", "role"], name="membership_org_status_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class RequestKind(models.TextChoices):
    CREATION = "creation", "Création d'organisation"
    JOIN = "join", "Demande de rattachement"
    CHANGE = "change", "Modification des données"
    ACCESS = "access", "Demande d'accès (établissement scolaire)"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    ACCEPTED = "accepted", "Acceptée"
    REFUSED = "refused", "Refusée"
    CANCELLED = "cancelled", "Annulée"


class Decider(models.TextChoices):
    ORGANISATION = "organisation", "Référents de l'organisation"
    OPERATOR = "operator", "Opérateur"


class OrganisationRequest(models.Model):
    """A request that someone decides: creation (operator), join (référent, or operator without one), change of
    the organisation's data (operator, applied once accepted), access to a school account (its holders, then
    the operators after 24 hours).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("type", max_length=10, choices=RequestKind.choices)
    status = models.CharField("statut", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decider = models.CharField("décidée par", max_length=12, choices=Decider.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="requests")
    # The person asking; empty for a school access request until it is granted (they may have no account).
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="organisation_requests"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    # Access requests: who asks (no account yet). Contact data, purged with the account on deletion.
    requester_email = models.EmailField("adresse électronique du demandeur", blank=True)
    requester_first_name = models.CharField("prénom du demandeur", max_length=150, blank=True)
    requester_last_name = models.CharField("nom du demandeur", max_length=150, blank=True)
    job_title = models.CharField("fonction", max_length=150, blank=True)
    role = models.CharField("rôle demandé", max_length=10, choices=Role.choices, blank=True)
    # Change requests: {field: new value}; creation requests: what the directory said, for the operator.
    payload = models.JSONField(default=dict, blank=True)
    message = models.TextField("message du demandeur", blank=True)
    # Copied from the organisation: the queue filters on it (operators' territories).
    department_code = models.CharField("département", max_length=3, blank=True)
    created_at = models.DateTimeField("déposée le", default=timezone.now)
    escalated_at = models.DateTimeField("transmise aux opérateurs le", null=True, blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "demande"
        indexes = [
            models.Index(fields=["status", "decider", "department_code", "created_at"], name="request_queue"),
            models.Index(fields=["organisation", "status"], name="request_org_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "requester", "kind"],
                condition=models.Q(status=RequestStatus.PENDING, kind__in=["creation", "join"]),
                name="one_pending_creation_or_join_per_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.status == RequestStatus.PENDING

    @property
    def requester_name(self) -> str:
        if self.requester_id:
            return self.requester.get_full_name()
        return f"{self.requester_first_name} {self.requester_last_name}".strip()
