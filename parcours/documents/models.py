"""Stored files (../shared/DESIGN.md, "Documents and files"): generated PDFs and uploaded scans, each with its
hash, its version and the data it was made from; downloads and signatures recorded.

A document belongs to a subject named by model label and public id (`enrollments.enrollment`, `catalog.session`,
...): documents sits under the business apps and imports none of them.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Document(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What it is: "convention", "convocation", "attendance_sheet", "attestation", "certificate", ...
    kind = models.CharField("type", max_length=40)
    subject_type = models.CharField("objet", max_length=100)
    subject_id = models.UUIDField("identifiant de l'objet")
    # Tells apart documents of one kind on one subject (a convention per buyer of a session).
    key = models.CharField("clé", max_length=100, blank=True)
    version = models.PositiveIntegerField("version")
    file = models.FileField("fichier", upload_to="documents/%Y/%m/")
    filename = models.CharField("nom du fichier", max_length=200)
    content_type = models.CharField("type de contenu", max_length=100)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    # What it was made from (generated documents): comparing it tells whether a new version is needed.
    data = models.JSONField("données", default=dict, blank=True)
    # "generated" or "uploaded" (a signed scan).
    origin = models.CharField("origine", max_length=10, default="generated")
    created_at = models.DateTimeField("créé le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A signed version is locked: never regenerated in place; a change makes a new version to sign.
    locked_at = models.DateTimeField("verrouillé le", null=True, blank=True)

    class Meta:
        verbose_name = "document"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_type", "subject_id", "key", "version"], name="one_document_version"
            )
        ]
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"], name="document_subject")]

    def __str__(self) -> str:
        return f"{self.filename} (v{self.version})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class DocumentSignature(models.Model):
    """A party's signature in the browser: a typed name and a consent, bound to the document's hash."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    # Which party signs ("provider", "buyer", "trainee", "trainer"...); one signature per party and version.
    party = models.CharField("partie", max_length=30)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    signer_name = models.CharField("nom saisi", max_length=200)
    consent_text = models.TextField("consentement")
    document_sha256 = models.CharField("empreinte signée", max_length=64)
    signed_at = models.DateTimeField("signé le", default=timezone.now)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)

    class Meta:
        verbose_name = "signature"
        constraints = [models.UniqueConstraint(fields=["document", "party"], name="one_signature_per_party")]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.party})"


class DocumentDownload(models.Model):
    """Who downloaded what, and when."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="downloads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    downloaded_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "téléchargement"
        indexes = [models.Index(fields=["document", "downloaded_at"], name="download_document")]

    def __str__(self) -> str:
        return f"{self.document_id} by {self.user_id} at {self.downloaded_at}"
