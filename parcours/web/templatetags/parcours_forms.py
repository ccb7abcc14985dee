"""Form helpers the theme's field templates and the page templates share (no design system inside)."""

import re

from django import template
from django.forms import BoundField

register = template.Library()

_BLOCK_HTML = re.compile(r"<(ul|ol|p|div|table)\b", re.IGNORECASE)
_INTERACTIVE_HTML = re.compile(r"<(a|button|input|select|textarea)\b", re.IGNORECASE)


@register.filter
def with_class(bound_field: BoundField, css_class: str) -> str:
    """The field's widget with ``css_class`` added to the classes it already has."""
    widget_attrs = bound_field.field.widget.attrs
    classes = " ".join(part for part in (css_class, widget_attrs.get("class", "")) if part)
    attrs = {"class": classes}
    # A placeholder that repeats the label (allauth's) adds nothing and looks like a typed value.
    if str(widget_attrs.get("placeholder", "")).strip().lower() == str(bound_field.label).strip().lower():
        attrs["placeholder"] = False
    return bound_field.as_widget(attrs=attrs)


@register.filter
def is_block_html(text) -> bool:
    """True when a help text holds block HTML (a list of password rules), which a <label> cannot."""
    return bool(text) and bool(_BLOCK_HTML.search(str(text)))


@register.filter
def hint_outside_label(text) -> bool:
    """True when a help text cannot sit inside a <label>: block HTML, or a link (a label's content
    is its field's name, and a link inside it would be clicked by clicking the label)."""
    return is_block_html(text) or (bool(text) and bool(_INTERACTIVE_HTML.search(str(text))))


@register.simple_tag
def form_field(bound_field: BoundField, label: str | None = None, help_text: str | None = None, placeholder=None):
    """Render one field through the field template, with this page's wording.

    ``{% form_field form.login label="Adresse électronique" %}``: third-party forms (allauth) keep
    their own labels; a page changes them here without subclassing the form. ``placeholder=""``
    removes a placeholder.
    """
    if label is not None:
        bound_field.label = label
    if help_text is not None:
        bound_field.help_text = help_text
    if placeholder is not None:
        widget_attrs = bound_field.field.widget.attrs
        if placeholder:
            widget_attrs["placeholder"] = placeholder
        else:
            widget_attrs.pop("placeholder", None)
    return bound_field.as_field_group()
