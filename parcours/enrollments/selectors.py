"""Reads of one enrollment: its page (the request, its history, its thread) and unread counts.

The lists by role are in selectors_dashboards.py.
"""

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from parcours.catalog.models import Session
from parcours.enrollments import permissions
from parcours.enrollments.models import Enrollment, EnrollmentMessage, EnrollmentReadMarker
from parcours.workflows.engine import transition_history

# The page shows the latest messages; a thread longer than this links to nothing older (rare, and bounded).
THREAD_LIMIT = 200


def enrollment_visible(user, public_id) -> Enrollment:
    """The enrollment with what its page shows, if the person may see it; else 404 (nothing leaks by id)."""
    enrollment = get_object_or_404(
        Enrollment.objects.select_related(
            "session__action__provider",
            "programme__operator",
            "beneficiary",
            "employer",
            "provider",
            "requested_by",
        ),
        public_id=public_id,
    )
    if not permissions.may_see(user, enrollment):
        raise Http404
    return enrollment


def enrollment_history(enrollment: Enrollment) -> list:
    return transition_history(enrollment)


def thread_messages(enrollment: Enrollment) -> list[EnrollmentMessage]:
    latest = list(
        EnrollmentMessage.objects.filter(enrollment=enrollment)
        .select_related("author")
        .order_by("-created_at", "-pk")[:THREAD_LIMIT]
    )
    return latest[::-1]


def thread_unread_count(enrollment: Enrollment, user) -> int:
    """Messages of the others since the person last opened the request's page."""
    messages = EnrollmentMessage.objects.filter(enrollment=enrollment).exclude(author=user)
    last_read_at = (
        EnrollmentReadMarker.objects.filter(enrollment=enrollment, user=user)
        .values_list("last_read_at", flat=True)
        .first()
    )
    if last_read_at is not None:
        messages = messages.filter(created_at__gt=last_read_at)
    return messages.count()


def unread_counts(enrollments: QuerySet, user) -> QuerySet:
    """The enrollments annotated with `unread_messages` for this person, in one query (lists, dashboards)."""
    marker = EnrollmentReadMarker.objects.filter(enrollment=OuterRef("pk"), user=user).values("last_read_at")[:1]
    return enrollments.annotate(_last_read_at=Subquery(marker)).annotate(
        unread_messages=Count(
            "messages",
            filter=~Q(messages__author=user)
            & (Q(_last_read_at__isnull=True) | Q(messages__created_at__gt=F("_last_read_at"))),
        )
    )


def session_for_request(public_id) -> Session:
    """A session with what the request form shows; the offer checks say whether it takes requests."""
    return get_object_or_404(
        Session.objects.select_related("action__provider").prefetch_related("action__programmes", "slots"),
        public_id=public_id,
    )
