from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from parcours.documents.models import Document
from parcours.documents.registry import document_party
from parcours.documents.services import document_content, document_download_record
from parcours.utils.http import client_ip


@require_GET
def download(request, public_id):
    """Only the parties of the document's subject; anyone else gets the same 404 as an unknown id."""
    document = get_object_or_404(Document, public_id=public_id)
    if not document_party(request.user, document.subject_type, document.subject_id):
        raise Http404
    content = document_content(document)
    # The download row is the record (documents sits beside audit and does not import it).
    document_download_record(document=document, user=request.user, ip=client_ip(request))
    response = HttpResponse(content, content_type=document.content_type)
    disposition = "inline" if document.content_type == "application/pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{document.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
