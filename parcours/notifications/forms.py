import re

from django import forms

from parcours.notifications.inapp import Category

ALWAYS_SENT_HELP = "toujours envoyés (décisions)"


def _field_name(key: str) -> str:
    # Category keys may hold dots ("enrollments.decision"): keep field names and ids to safe characters.
    return "email_" + re.sub(r"[^0-9A-Za-z_]", "_", key)


class EmailPreferencesForm(forms.Form):
    """One checkbox per registered category; those always sent show checked and cannot be changed."""

    def __init__(self, *args, categories: list[Category], preferences: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        self._keys: dict[str, str] = {}
        for category in categories:
            name = _field_name(category.key)
            self._keys[name] = category.key
            # A disabled field keeps its initial value whatever is posted.
            self.fields[name] = forms.BooleanField(
                label=f"Recevoir les courriels : {category.label}",
                required=False,
                initial=True if not category.mutable else preferences.get(category.key, True),
                disabled=not category.mutable,
                help_text="" if category.mutable else ALWAYS_SENT_HELP,
            )

    def choices(self) -> dict[str, bool]:
        """category key → wanted, for the mutable categories (what email_preferences_set records)."""
        return {self._keys[name]: value for name, value in self.cleaned_data.items() if not self.fields[name].disabled}
