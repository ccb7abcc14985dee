"""Template filters of the back office."""

import datetime

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

# A request waiting longer than this is flagged in the queue: the seed guides promise "quelques jours".
LATE_AFTER = datetime.timedelta(days=2)


@register.filter
def waiting_since(value: datetime.datetime | None) -> str:
    """ "2 jours", "5 heures": the largest unit only, which is what an operator sorting a queue reads."""
    if value is None:
        return ""
    if timezone.now() - value < datetime.timedelta(minutes=1):
        return "moins d'une minute"
    return timesince(value, depth=1)


@register.filter
def is_late(value: datetime.datetime | None) -> bool:
    return value is not None and timezone.now() - value >= LATE_AFTER


@register.simple_tag(takes_context=True)
def page_query(context, name: str, number) -> str:
    """This page's query string with one page parameter changed: filters survive paging."""
    params = context["request"].GET.copy()
    params[name] = number
    return f"?{params.urlencode()}"
