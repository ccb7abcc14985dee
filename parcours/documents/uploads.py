"""Checks on uploaded files (signed scans): the type sniffed from the bytes, the size, and PDFs that are
encrypted or carry scripts, actions or embedded files. Each refusal says why, in French."""

import io
from dataclasses import dataclass

from django.conf import settings

SIGNATURES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg"}
# Names in a PDF that run something or carry another file.
PDF_DANGEROUS_KEYS = ("/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA")


class UploadRefused(ValueError):
    """The file is refused; the message says why, for the person."""


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    kind: str  # pdf, png, jpeg
    content_type: str
    extension: str


def _sniff(content: bytes) -> str | None:
    for kind, (magic, _) in SIGNATURES.items():
        if content.startswith(magic):
            return kind
    return None


def _pdf_problems(content: bytes) -> str | None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return "Ce PDF est protégé par un mot de passe : déposez une version non chiffrée."
        seen = set()
        stack = [reader.trailer]
        while stack:
            obj = stack.pop()
            obj = obj.get_object() if hasattr(obj, "get_object") else obj
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            if isinstance(obj, dict):
                for key, value in obj.items():
                    if key in PDF_DANGEROUS_KEYS:
                        return "Ce PDF contient des scripts ou des fichiers joints : déposez un simple scan."
                    stack.append(value)
            elif isinstance(obj, list):
                stack.extend(obj)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError):
        return "Ce PDF est illisible ou abîmé : déposez un autre fichier."
    return None


def upload_check(uploaded, *, allowed=("pdf", "png", "jpeg")) -> CheckedUpload:
    """Read the uploaded file (at most the size limit + 1 byte) and check it; raise UploadRefused."""
    limit = settings.PARCOURS_UPLOAD_MAX_BYTES
    if uploaded is None:
        raise UploadRefused("Choisissez un fichier.")
    content = uploaded.read(limit + 1)
    if len(content) > limit:
        raise UploadRefused(
            f"Le fichier dépasse {limit // (1024 * 1024)} Mo : réduisez-le ou scannez-le en noir et blanc."
        )
    if not content:
        raise UploadRefused("Le fichier est vide.")
    name = (getattr(uploaded, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    declared = EXTENSIONS.get(extension)
    if declared is None or declared not in allowed:
        raise UploadRefused("Déposez un fichier PDF, PNG ou JPEG.")
    sniffed = _sniff(content)
    if sniffed != declared:
        raise UploadRefused("Le contenu du fichier ne correspond pas à son extension : déposez le fichier d'origine.")
    if sniffed == "pdf" and (problem := _pdf_problems(content)):
        raise UploadRefused(problem)
    return CheckedUpload(content=content, kind=sniffed, content_type=SIGNATURES[sniffed][1], extension=extension)
