import time_machine

from parcours.accounts.lockout import lockout_clear, lockout_record_failure, lockout_status, normalize_identifier


def test_five_failures_in_fifteen_minutes_lock_the_identifier_whatever_its_case():
    for _ in range(4):
        assert lockout_record_failure(identifier="Jeanne@Example.org", ip="192.0.2.1") is None

    lock = lockout_record_failure(identifier="jeanne@example.org ", ip="192.0.2.2")

    assert lock is not None
    assert 14 * 60 < lock.retry_after_seconds <= 15 * 60 + 1
    assert lock.retry_after_minutes == 15
    assert lockout_status(identifier="JEANNE@example.org", ip="198.51.100.9") is not None
    assert lockout_status(identifier="paul@example.org", ip="198.51.100.9") is None


def test_the_window_slides_and_the_lock_lifts_by_itself():
    with time_machine.travel("2026-11-24 10:00", tick=False) as clock:
        for _ in range(5):
            lockout_record_failure(identifier="a@example.org", ip="192.0.2.1")
        assert lockout_status(identifier="a@example.org", ip=None) is not None

        clock.shift(15 * 60 + 2)

        assert lockout_status(identifier="a@example.org", ip=None) is None


def test_failures_spread_over_more_than_the_window_never_lock():
    with time_machine.travel("2026-11-24 10:00", tick=False) as clock:
        for _ in range(10):
            assert lockout_record_failure(identifier="a@example.org", ip="192.0.2.1") is None
            clock.shift(4 * 60)


def test_a_nir_typed_with_or_without_spaces_or_key_is_one_identifier():
    assert normalize_identifier("1 85 05 78 006 084 91") == normalize_identifier("1850578006084")
    assert normalize_identifier("2A") == "2a"


def test_many_identifiers_from_one_ip_lock_the_ip(settings):
    settings.PARCOURS_LOCKOUT_IP_FAILURES = 8
    for n in range(7):
        assert lockout_record_failure(identifier=f"p{n}@example.org", ip="203.0.113.5") is None

    assert lockout_record_failure(identifier="p8@example.org", ip="203.0.113.5") is not None
    assert lockout_status(identifier="new@example.org", ip="203.0.113.5") is not None
    assert lockout_status(identifier="new@example.org", ip="203.0.113.6") is None


def test_clearing_lifts_every_identifier_of_the_account_and_the_ip():
    for _ in range(5):
        lockout_record_failure(identifier="a@example.org", ip="192.0.2.1")
        lockout_record_failure(identifier="1850578006084", ip="192.0.2.1")

    lockout_clear(identifiers=["a@example.org", "1850578006084"], ip="192.0.2.1")

    assert lockout_status(identifier="a@example.org", ip="192.0.2.1") is None
    assert lockout_status(identifier="185057800608491", ip="192.0.2.1") is None


def test_a_nir_typed_with_dashes_is_the_same_identifier():
    for variant in ("1-850578006084", "18-50578006084", "185-0578006084", "1850-578006084", "18505-78006084"):
        lockout_record_failure(identifier=variant, ip="192.0.2.1")

    assert lockout_status(identifier="1 85 05 78 006 084 91", ip="198.51.100.1") is not None
