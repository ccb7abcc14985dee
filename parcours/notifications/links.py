"""URLs in plain-text email bodies: listed for the test helpers, made clickable for the dev outbox."""

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# http(s) only: a javascript: or data: "link" in a text body must stay text.
URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
# Punctuation that ends a French sentence or closes a parenthesis is not part of the URL.
TRAILING_PUNCTUATION = ".,;:!?)]»"


def _urls_with_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(TRAILING_PUNCTUATION)
        spans.append((match.start(), match.start() + len(url), url))
    return spans


def text_links(text: str) -> list[str]:
    """The http(s) URLs of a text, in order."""
    return [url for _start, _end, url in _urls_with_spans(text)]


def text_linkify(text: str) -> SafeString:
    """Escape the text, then turn its http(s) URLs into links."""
    parts: list[str] = []
    position = 0
    for start, end, url in _urls_with_spans(text):
        parts.append(escape(text[position:start]))
        parts.append(format_html('<a class="fr-link" href="{}">{}</a>', url, url))
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped
