"""Storing, versioning, signing and serving documents."""

import hashlib
from uuid import UUID

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from parcours.documents.models import Document, DocumentDownload, DocumentSignature
from parcours.documents.pdf import pdf_render


class DocumentRefused(Exception):
    """The document action cannot happen; the message is for the person, in French."""


def document_latest(*, kind: str, subject_type: str, subject_id: UUID, key: str = "") -> Document | None:
    return (
        Document.objects.filter(kind=kind, subject_type=subject_type, subject_id=subject_id, key=key)
        .order_by("-version")
        .first()
    )


def document_store(
    *,
    kind: str,
    subject_type: str,
    subject_id: UUID,
    content: bytes,
    filename: str,
    content_type: str = "application/pdf",
    key: str = "",
    data: dict | None = None,
    origin: str = "generated",
    by=None,
) -> Document:
    """A new version of the document (the previous ones are kept)."""
    with transaction.atomic():
        # Lock the existing versions so two generations do not take the same number.
        current = (
            Document.objects.select_for_update()
            .filter(kind=kind, subject_type=subject_type, subject_id=subject_id, key=key)
            .aggregate(last=Max("version"))["last"]
        )
        document = Document(
            kind=kind,
            subject_type=subject_type,
            subject_id=subject_id,
            key=key,
            version=(current or 0) + 1,
            filename=filename,
            content_type=content_type,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            data=data or {},
            origin=origin,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        document.file.save(filename, ContentFile(content), save=False)
        document.save()
    return document


def document_generate(
    *,
    kind: str,
    subject_type: str,
    subject_id: UUID,
    template: str,
    context: dict,
    data: dict,
    filename: str,
    key: str = "",
    by=None,
) -> Document:
    """The latest version if it was made from the same data, else a new version rendered from the template.

    `data` must be JSON-serialisable and hold everything the document shows (it is kept with the file).
    """
    latest = document_latest(kind=kind, subject_type=subject_type, subject_id=subject_id, key=key)
    if latest is not None and latest.data == data:
        return latest
    content = pdf_render(template, {**context, "data": data})
    return document_store(
        kind=kind,
        subject_type=subject_type,
        subject_id=subject_id,
        key=key,
        content=content,
        filename=filename,
        data=data,
        by=by,
    )


def document_content(document: Document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def document_sign(
    *, document: Document, party: str, signer, signer_name: str, consent_text: str, ip=None, user_agent: str = ""
) -> DocumentSignature:
    """One signature per party on this version, bound to its hash; the caller checks the signer's right."""
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise DocumentRefused("Saisissez votre nom et votre prénom pour signer.")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.signatures.filter(party=party).exists():
            raise DocumentRefused("Ce document est déjà signé pour votre partie.")
        latest = document_latest(
            kind=locked.kind, subject_type=locked.subject_type, subject_id=locked.subject_id, key=locked.key
        )
        if latest is not None and latest.pk != locked.pk:
            raise DocumentRefused("Une version plus récente de ce document existe : signez la dernière version.")
        return DocumentSignature.objects.create(
            document=locked,
            party=party,
            signer=signer,
            signer_name=signer_name[:200],
            consent_text=consent_text,
            document_sha256=locked.sha256,
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )


def document_lock(document: Document) -> Document:
    if document.locked_at is None:
        document.locked_at = timezone.now()
        document.save(update_fields=["locked_at"])
    return document


def document_download_record(*, document: Document, user, ip=None) -> DocumentDownload:
    return DocumentDownload.objects.create(document=document, user=user, ip=ip)
