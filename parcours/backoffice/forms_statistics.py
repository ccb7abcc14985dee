"""The statistics' filters (GET, so that a page of figures can be shared): a programme and a period."""

import datetime
from urllib.parse import urlencode

from django import forms

from parcours.backoffice.statistics import MAX_YEARS, Period
from parcours.catalog.models import Programme
from parcours.utils.forms import PERIOD_REVERSED, optional_date_field


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


DATE_FORMAT_HELP = "Format attendu : jj/mm/aaaa"


class StatisticsFilterForm(forms.Form):
    """Always bound: an absent or empty field takes its default (this year up to today), so that a shared link
    with only a programme still shows figures. A programme that is not among the person's is `unknown_programme`:
    the view answers 404, as for any object of another operator."""

    programme = forms.ChoiceField(label="Programme", required=False)
    du = optional_date_field("Du", help_text=DATE_FORMAT_HELP)
    au = optional_date_field("Au", help_text=DATE_FORMAT_HELP)

    def __init__(self, data, *, programmes: list[Programme], today: datetime.date | None = None):
        default = Period.default(today)
        values = {"programme": "", "du": default.start.isoformat(), "au": default.end.isoformat()}
        values.update({name: data[name].strip() for name in values if data.get(name, "").strip()})
        super().__init__(values)
        self.programmes = {str(programme.public_id): programme for programme in programmes}
        several_operators = len({programme.operator_id for programme in programmes}) > 1
        self.fields["programme"].choices = [
            ("", "Tous mes programmes"),
            *[
                (key, f"{programme.name} ({programme.operator.name})" if several_operators else programme.name)
                for key, programme in self.programmes.items()
            ],
        ]

    @property
    def unknown_programme(self) -> bool:
        return bool(self.data["programme"]) and self.data["programme"] not in self.programmes

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("du"), cleaned.get("au")
        if start and end:
            if start > end:
                self.add_error("au", PERIOD_REVERSED)
            elif start < _years_before(end, MAX_YEARS):
                self.add_error(
                    "du",
                    f"La période ne peut pas dépasser {MAX_YEARS} ans : choisissez une date de début à partir du "
                    f"{_years_before(end, MAX_YEARS):%d/%m/%Y}.",
                )
        return cleaned

    @property
    def chosen_programme(self) -> Programme | None:
        """The chosen programme (None: all of the person's); read after is_valid()."""
        return self.programmes.get(self.cleaned_data.get("programme") or "")

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["du"], self.cleaned_data["au"])

    def selected_programmes(self) -> list[Programme]:
        programme = self.chosen_programme
        return [programme] if programme is not None else list(self.programmes.values())

    def query_string(self) -> str:
        """The valid filters as a query string, for the export links."""
        programme = self.cleaned_data.get("programme") or ""
        params = {"programme": programme} if programme else {}
        return urlencode({**params, "du": self.period.start.isoformat(), "au": self.period.end.isoformat()})
