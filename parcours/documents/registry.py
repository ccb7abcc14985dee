"""Who may read a subject's documents: each app registers a check for its subject types (documents imports none).

`document_parties_register("enrollments.enrollment", check)` where `check(user, subject_id) -> bool`.
"""

from collections.abc import Callable
from uuid import UUID

_checks: dict[str, Callable[[object, UUID], bool]] = {}


def document_parties_register(subject_type: str, check: Callable[[object, UUID], bool]) -> None:
    _checks[subject_type] = check


def document_party(user, subject_type: str, subject_id: UUID) -> bool:
    check = _checks.get(subject_type)
    return bool(check and getattr(user, "is_authenticated", False) and check(user, subject_id))
