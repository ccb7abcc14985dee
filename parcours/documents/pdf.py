"""HTML templates to PDF with WeasyPrint; fonts and styles come from the static files, never the network."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


def _local_fetcher(url: str, *args, **kwargs):
    """Only static files: a template can never make the PDF engine fetch a URL."""
    from weasyprint.urls import default_url_fetcher

    prefix = "static:"
    if url.startswith(prefix):
        path = finders.find(url[len(prefix) :])
        if path:
            return default_url_fetcher(f"file://{path}", *args, **kwargs)
    raise ValueError(f"Ressource refusée dans un PDF : {url}")


def pdf_render(template_name: str, context: dict) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, {"service_name": settings.PARCOURS_SERVICE_NAME, **context})
    return HTML(string=html, base_url="static:", url_fetcher=_local_fetcher).write_pdf()
