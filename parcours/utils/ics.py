"""A small iCalendar (RFC 5545) writer: one VCALENDAR of VEVENTs, enough for a convocation's timetable.

Text values are escaped (backslash, semicolon, comma, newlines), content lines are folded at 75 octets
without splitting a UTF-8 character, and lines end with CRLF. Times are written either in Europe/Paris
(with its VTIMEZONE, so clients need no time zone database) or in UTC.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

CRLF = "\r\n"
LINE_OCTETS = 75
DEFAULT_PRODID = "-//Parcours//Convocations//FR"

# The rules in force since 1996 (EU summer time): last Sunday of March 02:00 → CEST, of October 03:00 → CET.
_VTIMEZONES = {
    "Europe/Paris": [
        "BEGIN:VTIMEZONE",
        "TZID:Europe/Paris",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0200",
        "TZNAME:CEST",
        "DTSTART:19700329T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0200",
        "TZOFFSETTO:+0100",
        "TZNAME:CET",
        "DTSTART:19701025T030000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
}


@dataclass(frozen=True)
class CalendarEvent:
    """One VEVENT. `start`/`end` are datetimes (naive ones are local to the calendar's time zone) or dates
    (an all-day event; `end` is the last day, inclusive)."""

    uid: str
    start: datetime | date
    end: datetime | date
    summary: str
    location: str = ""
    description: str = ""
    # Raised each time the event is published again, so clients replace their copy.
    sequence: int = 0
    # A withdrawn event (a half-day removed from the timetable): STATUS:CANCELLED.
    cancelled: bool = False


def ics_escape(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11)."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets, continuations starting with one space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= LINE_OCTETS:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
            # A continuation line's leading space counts in its 75 octets.
            limit = LINE_OCTETS - 1
        current.append(char)
        size += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts)


def _utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _when(name: str, value: datetime | date, tzid: str | None, *, is_end: bool = False) -> str:
    if not isinstance(value, datetime):
        # DTEND of an all-day event is exclusive: the day after the last one.
        day = value + timedelta(days=1) if is_end else value
        return f"{name};VALUE=DATE:{day:%Y%m%d}"
    zone = ZoneInfo(tzid) if tzid else UTC
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    if tzid is None:
        return f"{name}:{_utc(value)}"
    return f"{name};TZID={tzid}:{value.astimezone(zone):%Y%m%dT%H%M%S}"


def ics_calendar(
    events: Iterable[CalendarEvent],
    *,
    method: str = "PUBLISH",
    tzid: str | None = "Europe/Paris",
    stamp: datetime | None = None,
    prodid: str = DEFAULT_PRODID,
    name: str = "",
) -> bytes:
    """The calendar as UTF-8 bytes (content type `text/calendar; method=PUBLISH; charset=utf-8`)."""
    if tzid is not None and tzid not in _VTIMEZONES:
        raise ValueError(f"Fuseau horaire sans définition VTIMEZONE : {tzid}")
    stamp = stamp or datetime.now(UTC)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{prodid}", "CALSCALE:GREGORIAN", f"METHOD:{method}"]
    if name:
        lines.append(f"X-WR-CALNAME:{ics_escape(name)}")
    events = list(events)
    if tzid is not None and any(isinstance(event.start, datetime) for event in events):
        lines.extend(_VTIMEZONES[tzid])
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ics_escape(event.uid)}",
            f"DTSTAMP:{_utc(stamp)}",
            _when("DTSTART", event.start, tzid),
            _when("DTEND", event.end, tzid, is_end=True),
            f"SEQUENCE:{event.sequence}",
            f"SUMMARY:{ics_escape(event.summary)}",
        ]
        if event.location:
            lines.append(f"LOCATION:{ics_escape(event.location)}")
        if event.description:
            lines.append(f"DESCRIPTION:{ics_escape(event.description)}")
        lines.append("STATUS:CANCELLED" if event.cancelled else "STATUS:CONFIRMED")
        lines.append("TRANSP:OPAQUE")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + CRLF for line in lines).encode("utf-8")
