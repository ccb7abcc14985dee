"""The enrollment workflow, cell by cell: every state × every action of the transition table."""

import pytest

from parcours.audit.models import AuditEvent
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import Enrollment
from parcours.enrollments.workflows import ENROLLMENT_WORKFLOW, enrollment_transition
from parcours.notifications.models import Notification, OutgoingEmail
from parcours.workflows.engine import TransitionRefused
from parcours.workflows.models import TransitionLog
from tests.enrollments.factories import EnrollmentFactory, cast

pytestmark = pytest.mark.django_db

S = EnrollmentState
WORKFLOW = ENROLLMENT_WORKFLOW
CELLS = [(state, action) for state in S.values for action in WORKFLOW.actions()]
# Who does each person's action; None for the system's.
ACTORS = {
    "employer_approve": "employer_manager",
    "employer_refuse": "employer_referent",
    "provider_validate": "provider_manager",
    "provider_refuse": "provider_referent",
    "provider_waitlist": "provider_manager",
    "cancel": "beneficiary",
}
# The people who may not do it (a sample of every other role, and the system).
WRONG_ACTORS = {
    "employer_approve": ["beneficiary", "provider_referent", "operator_staff", "other_employer_referent"],
    "employer_refuse": ["beneficiary", "provider_manager", "operator_staff", "other_employer_referent"],
    "provider_validate": ["beneficiary", "employer_referent", "trainer", "operator_staff", "other_provider_referent"],
    "provider_refuse": ["beneficiary", "employer_manager", "trainer", "operator_staff", "other_provider_referent"],
    "provider_waitlist": ["beneficiary", "employer_referent", "trainer", "operator_staff"],
    "cancel": ["colleague", "trainer", "operator_staff", "other_employer_referent", "other_provider_referent"],
}


def _setup(state: str, action: str):
    """A request in `state` whose guard for `action` holds (a full session for the waiting list, a programme
    without provider validation for the automatic steps)."""
    full = action in {"provider_waitlist", "auto_waitlist"}
    people = cast(capacity=1 if full else 10, provider_validation=not action.startswith("auto_"))
    if full:
        EnrollmentFactory(session=people.session, enrolled=True)
    enrollment = EnrollmentFactory(
        session=people.session,
        beneficiary=people.beneficiary,
        employer=people.employer,
        state=state,
        waitlisted_at=None if state != S.WAITLISTED else people.session.created_at,
    )
    return people, enrollment


def _actor(people, action):
    role = ACTORS.get(action)
    return getattr(people, role) if role else None


def _logs(enrollment):
    return TransitionLog.objects.filter(object_id=enrollment.public_id)


def test_the_table_covers_every_state_and_action():
    sources = {source for transition in WORKFLOW.transitions for source in transition.sources}
    targets = {transition.target for transition in WORKFLOW.transitions}
    assert sources | targets == set(S.values)
    # No two transitions answer the same (state, action): the table is a function.
    pairs = [(source, t.action) for t in WORKFLOW.transitions for source in t.sources]
    assert len(pairs) == len(set(pairs))
    assert set(ACTORS) | {t.action for t in WORKFLOW.transitions if t.system} == set(WORKFLOW.actions())


@pytest.mark.parametrize(("state", "action"), CELLS, ids=[f"{s}-{a}" for s, a in CELLS])
def test_every_cell_of_the_matrix(state, action):
    people, enrollment = _setup(state, action)
    transition = WORKFLOW.find(state, action)
    actor = _actor(people, action)
    reason = "Un motif précis."

    if transition is None:
        with pytest.raises(TransitionRefused):
            enrollment_transition(enrollment, action, actor=actor, reason=reason)
        enrollment.refresh_from_db()
        assert enrollment.state == state
        assert not _logs(enrollment).exists()
        return

    done = enrollment_transition(enrollment, action, actor=actor, reason=reason)

    enrollment.refresh_from_db()
    assert enrollment.state == done.state == transition.target
    log = _logs(enrollment).get(action=action)
    assert (log.from_state, log.to_state, log.actor, log.reason) == (state, transition.target, actor, reason)
    assert AuditEvent.objects.filter(event_type=f"enrollment.{action}", target_id=str(enrollment.public_id)).exists()
    assert Notification.objects.exists()


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [
        (source, t.action, role)
        for t in WORKFLOW.transitions
        if not t.system
        for source in t.sources[:1]
        for role in WRONG_ACTORS[t.action]
    ],
)
def test_the_wrong_person_is_refused_and_nothing_changes(state, action, role):
    people, enrollment = _setup(state, action)

    with pytest.raises(TransitionRefused, match="Vous ne pouvez pas"):
        enrollment_transition(enrollment, action, actor=getattr(people, role), reason="Motif")

    enrollment.refresh_from_db()
    assert enrollment.state == state
    assert not _logs(enrollment).exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("action", [t.action for t in WORKFLOW.transitions if t.system])
def test_a_person_cannot_run_the_systems_transitions(action):
    state = (WORKFLOW.find(S.WAITLISTED, action) and S.WAITLISTED) or S.PENDING_PROVIDER
    people, enrollment = _setup(state, action)

    with pytest.raises(TransitionRefused):
        enrollment_transition(enrollment, action, actor=people.provider_referent)

    enrollment.refresh_from_db()
    assert enrollment.state == state


@pytest.mark.parametrize("action", [t.action for t in WORKFLOW.transitions if not t.system])
def test_the_system_cannot_run_a_persons_transition(action):
    state = WORKFLOW.transitions[[t.action for t in WORKFLOW.transitions].index(action)].sources[0]
    _people, enrollment = _setup(state, action)

    with pytest.raises(TransitionRefused, match="personne connectée"):
        enrollment_transition(enrollment, action, reason="Motif")


@pytest.mark.parametrize("role", ["beneficiary", "employer_referent", "employer_manager", "provider_referent"])
def test_each_party_may_cancel_with_a_reason(role):
    people, enrollment = _setup(S.PENDING_PROVIDER, "cancel")

    with pytest.raises(TransitionRefused, match="motif"):
        enrollment_transition(enrollment, "cancel", actor=getattr(people, role), reason="  ")
    enrollment_transition(enrollment, "cancel", actor=getattr(people, role), reason="Plus disponible")

    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.last_reason) == (S.CANCELLED, "Plus disponible")


@pytest.mark.parametrize("action", ["employer_refuse", "provider_refuse"])
def test_refusals_need_a_reason_and_keep_it(action):
    state = S.PENDING_EMPLOYER if action == "employer_refuse" else S.PENDING_PROVIDER
    people, enrollment = _setup(state, action)

    with pytest.raises(TransitionRefused, match="Indiquez le motif"):
        enrollment_transition(enrollment, action, actor=_actor(people, action))
    enrollment.refresh_from_db()
    assert enrollment.state == state

    enrollment_transition(enrollment, action, actor=_actor(people, action), reason="Budget épuisé")
    enrollment.refresh_from_db()
    assert enrollment.last_reason == "Budget épuisé"


def _told(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def _emailed(user) -> int:
    return OutgoingEmail.objects.filter(recipient=user.email).count()


def test_employer_approval_tells_the_beneficiary_and_alerts_the_provider():
    people, enrollment = _setup(S.PENDING_EMPLOYER, "employer_approve")

    enrollment_transition(enrollment, "employer_approve", actor=people.employer_manager)

    assert _told(people.beneficiary) == ["Votre employeur a donné son accord"]
    assert (
        _told(people.provider_referent)
        == _told(people.provider_manager)
        == ["Une demande d'inscription est à valider"]
    )
    assert _told(people.employer_manager) == []  # who acted is not told
    assert _told(people.employer_referent) == []
    assert _told(people.trainer) == _told(people.operator_staff) == []
    assert _emailed(people.beneficiary) == _emailed(people.provider_manager) == 1


def test_employer_refusal_tells_the_beneficiary_with_the_reason():
    people, enrollment = _setup(S.PENDING_EMPLOYER, "employer_refuse")

    enrollment_transition(enrollment, "employer_refuse", actor=people.employer_referent, reason="Budget épuisé")

    notice = Notification.objects.get(user=people.beneficiary)
    assert "Motif : Budget épuisé" in notice.body
    assert _told(people.provider_manager) == []
    assert _emailed(people.beneficiary) == 1


@pytest.mark.parametrize(
    ("state", "action", "title"),
    [
        (S.PENDING_PROVIDER, "provider_validate", "L'inscription est confirmée"),
        (S.PENDING_PROVIDER, "provider_refuse", "L'organisme de formation a refusé la demande d'inscription"),
        (S.WAITLISTED, "provider_refuse", "L'organisme de formation a refusé la demande d'inscription"),
        (S.PENDING_PROVIDER, "provider_waitlist", "La demande d'inscription est sur liste d'attente"),
    ],
)
def test_provider_decisions_tell_the_beneficiary_and_the_employer(state, action, title):
    people, enrollment = _setup(state, action)

    enrollment_transition(enrollment, action, actor=people.provider_manager, reason="Motif")

    for person in (people.beneficiary, people.employer_referent, people.employer_manager):
        assert _told(person) == [title]
        assert _emailed(person) == 1
    assert _told(people.provider_manager) == []
    assert _told(people.colleague) == []


def test_cancellation_tells_every_other_party():
    people, enrollment = _setup(S.PENDING_PROVIDER, "cancel")

    enrollment_transition(enrollment, "cancel", actor=people.beneficiary, reason="Déménagement")

    for person in (people.employer_referent, people.employer_manager, people.provider_referent):
        assert _told(person) == ["La demande d'inscription est annulée"]
    assert _told(people.beneficiary) == []


def test_waitlisting_records_when_for_the_order_of_the_list():
    people, enrollment = _setup(S.PENDING_PROVIDER, "provider_waitlist")

    enrollment_transition(enrollment, "provider_waitlist", actor=people.provider_manager)

    enrollment.refresh_from_db()
    assert enrollment.waitlisted_at is not None


def test_a_decision_on_a_request_that_moved_is_refused_with_a_clear_message():
    people, enrollment = _setup(S.PENDING_EMPLOYER, "employer_approve")
    stale = Enrollment.objects.get(pk=enrollment.pk)
    enrollment_transition(enrollment, "employer_refuse", actor=people.employer_referent, reason="Non")

    with pytest.raises(TransitionRefused, match="elle a peut-être changé entre-temps"):
        enrollment_transition(stale, "employer_approve", actor=people.employer_manager)

    enrollment.refresh_from_db()
    assert enrollment.state == S.REFUSED_BY_EMPLOYER
    assert _logs(enrollment).count() == 1
