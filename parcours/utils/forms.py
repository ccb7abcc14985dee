"""Form pieces with no domain: the date fields every filter and form uses."""

from django import forms

DATE_INVALID = "Saisissez une date valide, par exemple 15/03/2025."
PERIOD_REVERSED = "La date de fin doit être postérieure ou égale à la date de début."


def date_input() -> forms.DateInput:
    """The browser's date picker: it takes and gives ISO dates and shows them in the person's format."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def optional_date_field(label: str, *, help_text: str = "") -> forms.DateField:
    """A date a filter may leave empty, with the French message for a date that is not one."""
    return forms.DateField(
        label=label,
        required=False,
        widget=date_input(),
        help_text=help_text,
        error_messages={"invalid": DATE_INVALID},
    )
