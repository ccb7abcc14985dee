"""Who is told what about an enrollment: in-app notifications with their emails, queued in the transaction.

Decisions (approval, refusal, enrollment, waiting list, cancellation) always reach the person by email;
the alerts of requests to decide and the messages of the thread can be muted.
"""

from django.urls import reverse

from parcours.enrollments.models import Enrollment
from parcours.notifications.inapp import notification_category_register, notify_each
from parcours.organisations.models import Membership, MembershipStatus, Role

CATEGORY_TO_DECIDE = "enrollment_to_decide"
CATEGORY_DECISION = "enrollment_decision"
CATEGORY_MESSAGE = "message"

notification_category_register(CATEGORY_TO_DECIDE, "Demandes d'inscription à traiter", mutable=True)
notification_category_register(CATEGORY_DECISION, "Décisions sur les inscriptions", mutable=False)
notification_category_register(CATEGORY_MESSAGE, "Messages au sujet d'une inscription", mutable=True)

NOTICE_TEMPLATE = "enrollments/notice"
MESSAGE_TEMPLATE = "enrollments/message"


def detail_url(enrollment: Enrollment) -> str:
    return reverse("enrollments:detail", args=[enrollment.public_id])


def managers_of(organisation) -> list:
    """The active référents and managers of an organisation: who decides its side of a request."""
    if organisation is None:
        return []
    return [
        membership.user
        for membership in Membership.objects.filter(
            organisation=organisation,
            status=MembershipStatus.ACTIVE,
            role__in=[Role.REFERENT, Role.MANAGER],
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ]


def employer_people(enrollment: Enrollment) -> list:
    return managers_of(enrollment.employer)


def provider_people(enrollment: Enrollment) -> list:
    return managers_of(enrollment.provider)


def everyone(enrollment: Enrollment) -> list:
    """The three parties: the bénéficiaire, the employer's and the provider's référents and managers."""
    return [enrollment.beneficiary, *employer_people(enrollment), *provider_people(enrollment)]


def describe(enrollment: Enrollment) -> str:
    session = enrollment.session
    return f"« {session.action.title} », session du {session.starts_on:%d/%m/%Y} au {session.ends_on:%d/%m/%Y}"


def people_notify(
    people, *, enrollment: Enrollment, category: str, title: str, body: str, actor=None, template: str = ""
) -> int:
    """Tell each person once (never the one who acted); return how many were told."""
    return notify_each(
        people,
        actor=actor,
        category=category,
        title=title,
        body=body,
        url=detail_url(enrollment),
        email_template=template or NOTICE_TEMPLATE,
        context={"enrollment_description": describe(enrollment)},
    )
