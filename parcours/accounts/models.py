import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from parcours.accounts.enums import Civility, IdentityReview, RegistrationKind, RegistrationStatus


class LowercaseEmailField(models.EmailField):
    """Emails are compared case-insensitively: store them lower-cased, whatever the caller passes."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.strip().lower() if isinstance(value, str) else value


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> "User":
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str) -> "User":
        return self.get(email=username.strip().lower())


class User(AbstractBaseUser, PermissionsMixin):
    """One model for every person; what they may do comes from memberships and their own objects."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    email = LowercaseEmailField("adresse électronique", unique=True)
    civility = models.CharField("civilité", max_length=3, choices=Civility.choices, blank=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    # The birth name (nom de naissance); the usage name, when there is one, is what people read.
    last_name = models.CharField("nom de naissance", max_length=150, blank=True)
    usage_name = models.CharField("nom d'usage", max_length=150, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    phone_landline = PhoneNumberField("téléphone fixe", blank=True)
    phone_mobile = PhoneNumberField("téléphone portable", blank=True)
    apprenticeship_contract = models.BooleanField("contrat d'apprentissage déclaré", default=False)
    # Routes the first pages only; what a person may do comes from what they have.
    registration_kind = models.CharField(
        "type d'inscription", max_length=20, choices=RegistrationKind.choices, blank=True
    )
    # A remuneration dossier number typed at sign-up, matched once remuneration dossiers exist.
    remuneration_dossier_claim = models.CharField("n° de dossier déclaré", max_length=30, blank=True)
    identity_review = models.CharField(
        "vérification d'identité demandée", max_length=30, choices=IdentityReview.choices, blank=True
    )
    # Set when a trusted source (FranceConnect) certified the identity: it is then read-only here.
    identity_certified_at = models.DateTimeField("identité certifiée le", null=True, blank=True)
    # Accounts taken over from older tools (seed 001): no usable password until the holder chooses one.
    imported_at = models.DateTimeField("repris d'un ancien outil le", null=True, blank=True)
    legacy_siret_claim = models.CharField("SIRET déclaré à la reprise", max_length=14, blank=True)
    legacy_uai_claim = models.CharField("UAI déclaré à la reprise", max_length=8, blank=True)
    deletion_requested_at = models.DateTimeField("suppression demandée le", null=True, blank=True)
    deletion_due_at = models.DateTimeField("suppression prévue le", null=True, blank=True, db_index=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.CheckConstraint(condition=models.Q(email=Lower("email")), name="accounts_user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.usage_name or self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class NirRecord(models.Model):
    """The NIR, apart from the User: encrypted (MultiFernet) with a keyed hash for lookup."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="nir_record")
    ciphertext = models.TextField()
    lookup_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "NIR"
        verbose_name_plural = "NIR"

    def __str__(self) -> str:
        return f"NIR de {self.user_id}"


class TermsAcceptance(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    version = models.CharField("version des CGU", max_length=20)
    accepted_at = models.DateTimeField("acceptées le", default=timezone.now)

    class Meta:
        verbose_name = "acceptation des CGU"
        verbose_name_plural = "acceptations des CGU"
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="accounts_terms_once_per_version")]

    def __str__(self) -> str:
        return f"CGU {self.version}"


class Registration(models.Model):
    """A sign-up until its email is proven; the User is created only then (docs/decisions)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=RegistrationKind.choices)
    status = models.CharField(max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING)
    email = LowercaseEmailField()
    # Identity as typed (names, civility, birth date, phones...): never the NIR, which has its own columns.
    data = models.JSONField(default=dict)
    nir_ciphertext = models.TextField(blank=True)
    nir_hash = models.CharField(max_length=64, blank=True, db_index=True)
    password_hash = models.CharField(max_length=256, blank=True)
    cgu_version = models.CharField(max_length=20, blank=True)
    cgu_accepted_at = models.DateTimeField(null=True, blank=True)
    # Stagiaire sign-up: a 6-digit code instead of a link.
    code_hash = models.CharField(max_length=256, blank=True)
    code_sent_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    code_verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "inscription"
        verbose_name_plural = "inscriptions"
        indexes = [models.Index(fields=["email", "status"], name="accounts_reg_email_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class EmailChange(models.Model):
    """A new address waiting for its proof; it replaces the old one only when its link is used."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = LowercaseEmailField()
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "changement d'adresse électronique"
        verbose_name_plural = "changements d'adresse électronique"

    def __str__(self) -> str:
        return f"Changement d'adresse de {self.user_id}"
