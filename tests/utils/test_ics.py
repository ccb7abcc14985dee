"""The iCalendar writer: escaping, folding at 75 octets, CRLF lines, times in Europe/Paris or UTC."""

from datetime import UTC, date, datetime

import pytest

from parcours.utils.ics import CalendarEvent, ics_calendar, ics_escape, ics_fold

STAMP = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)


def unfold(content: bytes) -> list[str]:
    """Content lines as a reader sees them (RFC 5545 3.1): CRLF followed by a space continues the line."""
    return content.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def events_of(content: bytes) -> list[dict[str, str]]:
    events, current = [], None
    for line in unfold(content):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            events.append(current)
            current = None
        elif current is not None:
            name, _, value = line.partition(":")
            current[name] = value
    return events


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            following = next(chars)
            out.append("\n" if following in "nN" else following)
        else:
            out.append(char)
    return "".join(out)


def event(**overrides) -> CalendarEvent:
    fields = {
        "uid": "slot-1@parcours",
        "start": datetime(2026, 1, 15, 9, 0),
        "end": datetime(2026, 1, 15, 12, 30),
        "summary": "Formation : Gestion de projet",
    }
    return CalendarEvent(**{**fields, **overrides})


def test_a_calendar_has_its_envelope_its_time_zone_and_crlf_lines():
    content = ics_calendar([event()], stamp=STAMP)

    assert content.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert content.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in content.replace(b"\r\n", b"")  # no bare line feed
    lines = unfold(content)
    assert "METHOD:PUBLISH" in lines
    assert lines.count("BEGIN:VTIMEZONE") == 1
    assert "TZID:Europe/Paris" in lines
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU" in lines
    [vevent] = events_of(content)
    assert vevent["UID"] == "slot-1@parcours"
    assert vevent["DTSTAMP"] == "20260302T083000Z"
    assert vevent["DTSTART;TZID=Europe/Paris"] == "20260115T090000"
    assert vevent["DTEND;TZID=Europe/Paris"] == "20260115T123000"
    assert vevent["SEQUENCE"] == "0"
    assert vevent["STATUS"] == "CONFIRMED"


def test_aware_times_are_converted_to_paris_summer_and_winter_time():
    summer = event(start=datetime(2026, 7, 1, 7, 0, tzinfo=UTC), end=datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    winter = event(
        uid="w", start=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), end=datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    )

    first, second = events_of(ics_calendar([summer, winter], stamp=STAMP))

    assert first["DTSTART;TZID=Europe/Paris"] == "20260701T090000"
    assert second["DTSTART;TZID=Europe/Paris"] == "20261201T090000"


def test_utc_calendars_carry_no_time_zone_and_z_times():
    content = ics_calendar([event()], stamp=STAMP, tzid=None)

    assert b"VTIMEZONE" not in content
    [vevent] = events_of(content)
    # 9:00 in Paris in January is 8:00 UTC: naive times are local to the calendar's zone, UTC here.
    assert vevent["DTSTART"] == "20260115T090000Z"


def test_all_day_events_end_the_day_after():
    [vevent] = events_of(ics_calendar([event(start=date(2026, 1, 15), end=date(2026, 1, 15))], stamp=STAMP))

    assert vevent["DTSTART;VALUE=DATE"] == "20260115"
    assert vevent["DTEND;VALUE=DATE"] == "20260116"


def test_text_values_are_escaped():
    raw = "Salle 3, bâtiment B; entrée C:\\porte\nsonner à l'accueil\r\nmerci"

    assert ics_escape(raw) == "Salle 3\\, bâtiment B\\; entrée C:\\\\porte\\nsonner à l'accueil\\nmerci"
    [vevent] = events_of(ics_calendar([event(location=raw, description=raw, summary="A, B; C")], stamp=STAMP))
    assert vevent["SUMMARY"] == "A\\, B\\; C"
    assert unescape(vevent["LOCATION"]) == raw.replace("\r\n", "\n")
    assert unescape(vevent["DESCRIPTION"]) == raw.replace("\r\n", "\n")


def test_long_lines_are_folded_at_75_octets_without_splitting_a_character():
    description = "Apportez votre ordinateur portable, un cahier et un stylo ; déjeuner libre. " * 6 + "é" * 80

    content = ics_calendar([event(description=description)], stamp=STAMP)

    physical = content.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) <= 75
    assert any(line.startswith(b" ") for line in physical)
    for line in physical:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character cut in two
    [vevent] = events_of(content)
    assert unescape(vevent["DESCRIPTION"]) == description


def test_fold_leaves_short_lines_alone_and_counts_the_continuation_space():
    assert ics_fold("SUMMARY:court") == "SUMMARY:court"
    folded = ics_fold("X" * 200)
    parts = folded.split("\r\n")
    assert [len(part) for part in parts] == [75, 75, 52]
    assert all(part.startswith(" ") for part in parts[1:])


def test_a_withdrawn_event_is_cancelled_with_its_sequence():
    [vevent] = events_of(ics_calendar([event(cancelled=True, sequence=2)], stamp=STAMP))

    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["SEQUENCE"] == "2"


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(ValueError, match="VTIMEZONE"):
        ics_calendar([event()], tzid="America/New_York")
