import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from parcours.accounts.services.mfa import totp_activate
from parcours.audit.models import AuditEvent
from parcours.catalog import services
from parcours.catalog.enums import ActionStatus, HalfDay, Modality, Sanction, SessionStatus
from parcours.catalog.models import Programme, Slot
from parcours.catalog.services import CatalogRefused
from parcours.catalog.signals import session_cancelled, session_capacity_raised
from parcours.notifications.models import Notification
from parcours.organisations.models import OrganisationStatus, Role
from parcours.workflows.engine import TransitionRefused, transition_run
from parcours.workflows.models import TransitionLog
from tests.catalog.factories import ProgrammeFactory, SessionFactory, SlotFactory, TrainingActionFactory
from tests.helpers.outbox import emails_to, last_email_to
from tests.organisations.factories import OperatorFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def today():
    return timezone.localdate()


def staff_of(operator, role=Role.MANAGER):
    user = member(operator, role).user
    totp_activate(user=user, secret=TOTP_SECRET)
    return user


def action_data(**overrides):
    data = {
        "title": "Soudure à l'arc",
        "summary": "Apprendre à souder.",
        "objectives": "Réaliser une soudure.",
        "audience": "Salariés de l'industrie",
        "prerequisites": "",
        "nature": "training",
        "duration_hours": Decimal("21"),
        "price": Decimal("1200"),
        "modality": Modality.ON_SITE,
        "place": "3 rue des Forges, 93200 Saint-Denis",
        "department_code": "",
        "accessibility": "Locaux accessibles.",
        "assessment": "Mise en situation.",
        "sanction": Sanction.ATTESTATION,
        "certification_registry": "",
        "certification_code": "",
        "programmes": [],
    }
    data.update(overrides)
    return data


def session_data(**overrides):
    start = today() + datetime.timedelta(days=20)
    data = {
        "starts_on": start,
        "ends_on": start + datetime.timedelta(days=2),
        "place": "3 rue des Forges, 93200 Saint-Denis",
        "department_code": "",
        "capacity": 8,
        "registration_deadline": start - datetime.timedelta(days=5),
        "trainers": [],
    }
    data.update(overrides)
    return data


@pytest.fixture
def provider():
    return ProviderFactory(name="Forges Formation")


@pytest.fixture
def referent(provider):
    return member(provider, Role.REFERENT, email="referente@forges.example").user


# --- Programmes ---------------------------------------------------------------------------------------------


def test_operator_staff_create_a_programme_of_their_operator():
    operator = OperatorFactory()
    gestionnaire = staff_of(operator)
    start = today()

    programme = services.programme_create(
        operator=operator,
        actor=gestionnaire,
        data={"name": "Offre pro 2027", "starts_on": start, "ends_on": start, "employer_approval": False},
    )

    assert programme.operator == operator
    assert programme.employer_approval is False
    assert AuditEvent.objects.filter(event_type="catalog.programme_created", target_id=str(programme.public_id))


def test_a_programme_cannot_end_before_it_starts():
    operator = OperatorFactory()
    gestionnaire = staff_of(operator)

    with pytest.raises(CatalogRefused, match="fin de la période"):
        services.programme_create(
            operator=operator,
            actor=gestionnaire,
            data={"name": "X", "starts_on": today(), "ends_on": today() - datetime.timedelta(days=1)},
        )
    assert not Programme.objects.exists()


def test_staff_of_another_operator_cannot_create_or_edit_a_programme():
    programme = ProgrammeFactory()
    outsider = staff_of(OperatorFactory())

    with pytest.raises(PermissionDenied):
        services.programme_create(operator=programme.operator, actor=outsider, data={"name": "X"})
    with pytest.raises(PermissionDenied):
        services.programme_update(programme=programme, actor=outsider, data={"name": "Y"})


def test_programme_update_records_the_changed_fields():
    programme = ProgrammeFactory(name="Ancien nom")
    gestionnaire = staff_of(programme.operator)

    services.programme_update(programme=programme, actor=gestionnaire, data={"name": "Nouveau", "is_active": False})

    programme.refresh_from_db()
    assert (programme.name, programme.is_active) == ("Nouveau", False)
    event = AuditEvent.objects.get(event_type="catalog.programme_updated")
    assert sorted(event.details["fields"]) == ["is_active", "name"]


# --- Actions ------------------------------------------------------------------------------------------------


def test_an_action_is_created_as_a_draft_with_its_department_read_from_the_place(provider, referent):
    programme = ProgrammeFactory()

    action = services.action_create(provider=provider, actor=referent, data=action_data(programmes=[programme]))

    assert action.status == ActionStatus.DRAFT
    assert action.department_code == "93"
    assert list(action.programmes.all()) == [programme]
    assert AuditEvent.objects.filter(event_type="catalog.action_created").count() == 1


def test_employees_and_trainers_cannot_create_actions(provider):
    for role in (Role.EMPLOYEE, Role.TRAINER):
        with pytest.raises(PermissionDenied):
            services.action_create(provider=provider, actor=member(provider, role).user, data=action_data())


def test_publication_lists_what_is_missing(provider, referent):
    closed = ProgrammeFactory(is_active=False)
    action = services.action_create(
        provider=provider,
        actor=referent,
        data=action_data(place="", sanction=Sanction.CERTIFICATE, programmes=[closed]),
    )

    with pytest.raises(CatalogRefused) as refused:
        services.action_publish(action=action, actor=referent)

    assert refused.value.problems == [
        "Complétez le lieu (l'action a lieu au moins en partie en présentiel).",
        "Indiquez le code RNCP ou RS de la certification à laquelle l'action prépare.",
        "Proposez l'action dans au moins un programme ouvert.",
    ]
    action.refresh_from_db()
    assert action.status == ActionStatus.DRAFT


def test_a_badly_written_certification_code_blocks_publication(provider, referent):
    action = TrainingActionFactory(
        provider=provider, status=ActionStatus.DRAFT, certification_registry="", certification_code="12A"
    )

    assert services.action_publication_problems(action) == [
        "Le code de la certification s'écrit RNCP ou RS suivi de chiffres, par exemple RNCP34567."
    ]


def test_publish_logs_the_transition_and_clears_an_old_withdrawal(provider, referent):
    action = TrainingActionFactory(
        provider=provider, status=ActionStatus.DRAFT, published_at=None, unpublished_reason="Prix manquant"
    )

    services.action_publish(action=action, actor=referent)

    action.refresh_from_db()
    assert action.status == ActionStatus.PUBLISHED
    assert action.published_at is not None
    assert action.unpublished_reason == ""
    log = TransitionLog.objects.get(object_id=action.public_id)
    assert (log.action, log.from_state, log.to_state, log.actor) == ("publish", "draft", "published", referent)
    assert AuditEvent.objects.filter(event_type="catalog_action.publish").exists()


def test_a_pending_provider_publishes_but_stays_a_pending_organisation():
    provider = ProviderFactory(status=OrganisationStatus.PENDING, validated_at=None)
    referent = member(provider, Role.REFERENT).user
    action = TrainingActionFactory(provider=provider, status=ActionStatus.DRAFT)

    services.action_publish(action=action, actor=referent)

    action.refresh_from_db()
    # The public search shows published actions of active providers only.
    assert action.status == ActionStatus.PUBLISHED
    assert not action.provider.is_active


@pytest.mark.parametrize(
    ("status", "function", "message"),
    [
        (ActionStatus.PUBLISHED, services.action_publish, "déjà publiée"),
        (ActionStatus.ARCHIVED, services.action_publish, "archivée : remettez-la en brouillon"),
        (ActionStatus.ARCHIVED, services.action_archive, "déjà archivée"),
        (ActionStatus.DRAFT, services.action_to_draft, "déjà en brouillon"),
    ],
)
def test_an_action_in_the_wrong_state_is_refused_with_a_clear_message(provider, referent, status, function, message):
    action = TrainingActionFactory(provider=provider, status=status)

    with pytest.raises(CatalogRefused, match=message):
        function(action=action, actor=referent)

    assert not TransitionLog.objects.exists()


def test_archive_then_back_to_draft(provider, referent):
    action = TrainingActionFactory(provider=provider)

    services.action_archive(action=action, actor=referent)
    action.refresh_from_db()
    assert action.status == ActionStatus.ARCHIVED
    services.action_to_draft(action=action, actor=referent)
    action.refresh_from_db()
    assert action.status == ActionStatus.DRAFT


def test_an_archived_action_cannot_be_edited(provider, referent):
    action = TrainingActionFactory(provider=provider, status=ActionStatus.ARCHIVED)

    with pytest.raises(CatalogRefused, match="archivée"):
        services.action_update(action=action, actor=referent, data=action_data())


def test_a_published_action_keeps_at_least_one_programme(provider, referent):
    action = TrainingActionFactory(provider=provider)

    with pytest.raises(CatalogRefused, match="au moins un programme"):
        services.action_update(action=action, actor=referent, data=action_data(programmes=[]))

    assert action.programmes.count() == 1


def test_action_update_records_the_changed_fields(provider, referent):
    action = TrainingActionFactory(provider=provider, status=ActionStatus.DRAFT, programmes=[])
    programme = ProgrammeFactory()

    services.action_update(action=action, actor=referent, data={"title": "Nouveau titre", "programmes": [programme]})

    action.refresh_from_db()
    assert action.title == "Nouveau titre"
    assert list(action.programmes.all()) == [programme]
    assert sorted(AuditEvent.objects.get(event_type="catalog.action_updated").details["fields"]) == [
        "programmes",
        "title",
    ]


def test_operator_staff_unpublish_with_a_reason_and_the_provider_is_told(
    provider, referent, django_capture_on_commit_callbacks
):
    manager = member(provider, Role.MANAGER, email="gestion@forges.example").user
    employee = member(provider, Role.EMPLOYEE, email="salarie@forges.example").user
    programme = ProgrammeFactory(operator=OperatorFactory(name="Région Île-de-France"))
    action = TrainingActionFactory(provider=provider, programmes=[programme], title="Soudure")
    gestionnaire = staff_of(programme.operator)

    with django_capture_on_commit_callbacks(execute=True):
        services.action_unpublish(action=action, actor=gestionnaire, reason="Le prix affiché est erroné.")

    action.refresh_from_db()
    assert action.status == ActionStatus.DRAFT
    assert action.unpublished_reason == "Le prix affiché est erroné."
    assert action.unpublished_at is not None
    email = last_email_to(referent.email)
    assert "Soudure" in email.subject
    assert "Région Île-de-France" in email.body_text
    assert "Le prix affiché est erroné." in email.body_text
    assert emails_to(manager.email)
    assert not emails_to(employee.email)
    assert Notification.objects.filter(user=referent, category="catalog.action_unpublished").exists()
    log = TransitionLog.objects.get(object_id=action.public_id)
    assert (log.action, log.reason) == ("unpublish", "Le prix affiché est erroné.")


def test_only_staff_of_a_programme_of_the_action_may_unpublish(provider):
    action = TrainingActionFactory(provider=provider)
    other = staff_of(OperatorFactory())

    with pytest.raises(PermissionDenied):
        services.action_unpublish(action=action, actor=other, reason="Non")
    with pytest.raises(PermissionDenied):
        services.action_unpublish(action=action, actor=member(provider, Role.REFERENT).user, reason="Non")


def test_unpublish_needs_a_reason_and_a_published_action(provider):
    action = TrainingActionFactory(provider=provider)
    gestionnaire = staff_of(action.programmes.get().operator)

    with pytest.raises(CatalogRefused, match="motif"):
        services.action_unpublish(action=action, actor=gestionnaire, reason="  ")
    action.status = ActionStatus.DRAFT
    action.save()
    with pytest.raises(CatalogRefused, match="n'est plus au catalogue"):
        services.action_unpublish(action=action, actor=gestionnaire, reason="Erreur")


# --- Sessions -----------------------------------------------------------------------------------------------


def test_a_session_is_created_open_with_its_department_read_from_the_place(provider, referent):
    action = TrainingActionFactory(provider=provider)

    session = services.session_create(action=action, actor=referent, data=session_data())

    assert session.status == SessionStatus.OPEN
    assert session.department_code == "93"
    assert AuditEvent.objects.filter(event_type="catalog.session_created").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": today() + datetime.timedelta(days=10)}, "fin de la session"),
        ({"registration_deadline": today() + datetime.timedelta(days=25)}, "date limite"),
        (
            {
                "starts_on": today() - datetime.timedelta(days=1),
                "ends_on": today(),
                "registration_deadline": today() - datetime.timedelta(days=2),
            },
            "dans le passé",
        ),
        ({"place": ""}, "lieu"),
        ({"capacity": 0}, "au moins une place"),
    ],
)
def test_session_input_is_checked(provider, referent, overrides, message):
    action = TrainingActionFactory(provider=provider)

    with pytest.raises(CatalogRefused, match=message):
        services.session_create(action=action, actor=referent, data=session_data(**overrides))

    assert not action.sessions.exists()


def test_a_remote_session_needs_no_place(provider, referent):
    action = TrainingActionFactory(provider=provider, modality=Modality.REMOTE, place="")

    session = services.session_create(action=action, actor=referent, data=session_data(place=""))

    assert (session.place, session.department_code) == ("", "")


def test_no_session_for_an_archived_action(provider, referent):
    action = TrainingActionFactory(provider=provider, status=ActionStatus.ARCHIVED)

    with pytest.raises(CatalogRefused, match="archivée"):
        services.session_create(action=action, actor=referent, data=session_data())


def test_trainers_are_active_trainers_managers_or_referents_of_the_provider(
    provider, referent, django_capture_on_commit_callbacks
):
    action = TrainingActionFactory(provider=provider)
    trainer = member(provider, Role.TRAINER, email="formatrice@forges.example").user
    employee = member(provider, Role.EMPLOYEE).user
    stranger = member(ProviderFactory(), Role.TRAINER).user

    for wrong in (employee, stranger):
        with pytest.raises(CatalogRefused, match="formateurs"):
            services.session_create(action=action, actor=referent, data=session_data(trainers=[wrong]))
    with django_capture_on_commit_callbacks(execute=True):
        session = services.session_create(
            action=action, actor=referent, data=session_data(trainers=[trainer, referent])
        )

    assert set(session.trainers.all()) == {trainer, referent}
    email = last_email_to(trainer.email)
    assert action.title in email.subject
    # The trainer has no page of the offer to open; the référent assigning themselves is not told.
    assert "/offre-de-formation/" not in email.body_text
    assert not emails_to(referent.email)


def test_more_places_reopen_a_full_session_and_wake_the_waiting_list(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider), status=SessionStatus.FULL, capacity=5)
    received = []

    def receiver(sender, session, actor, **kwargs):
        received.append((session.capacity, session.status, actor))

    session_capacity_raised.connect(receiver)
    try:
        services.session_update(
            session=session,
            actor=referent,
            data=session_data(
                starts_on=session.starts_on,
                ends_on=session.ends_on,
                capacity=6,
                registration_deadline=session.registration_deadline,
            ),
        )
        services.session_update(
            session=session,
            actor=referent,
            data=session_data(
                starts_on=session.starts_on,
                ends_on=session.ends_on,
                capacity=4,
                registration_deadline=session.registration_deadline,
            ),
        )
    finally:
        session_capacity_raised.disconnect(receiver)

    assert received == [(6, SessionStatus.OPEN, referent)]


def test_new_dates_must_keep_the_half_days(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider))
    later = session.starts_on + datetime.timedelta(days=7)

    with pytest.raises(CatalogRefused, match="demi-journées"):
        services.session_update(
            session=session,
            actor=referent,
            data=session_data(starts_on=later, ends_on=later, registration_deadline=later),
        )


def test_a_session_already_started_keeps_its_start_date(provider, referent):
    start = today() - datetime.timedelta(days=1)
    session = SessionFactory(
        action=TrainingActionFactory(provider=provider),
        starts_on=start,
        ends_on=start + datetime.timedelta(days=3),
        registration_deadline=start,
    )

    services.session_update(
        session=session,
        actor=referent,
        data=session_data(starts_on=start, ends_on=session.ends_on, registration_deadline=start, capacity=12),
    )

    session.refresh_from_db()
    assert session.capacity == 12


def test_cancel_sends_the_signal_inside_the_transaction(provider, referent, django_capture_on_commit_callbacks):
    trainer = member(provider, Role.TRAINER, email="formateur@forges.example").user
    session = SessionFactory(action=TrainingActionFactory(provider=provider))
    session.trainers.add(trainer)
    seen = []

    def receiver(sender, session, actor, reason, **kwargs):
        seen.append((session.status, actor, reason))

    session_cancelled.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.session_cancel(session=session, actor=referent, reason="Formateur malade")
    finally:
        session_cancelled.disconnect(receiver)

    assert seen == [(SessionStatus.CANCELLED, referent, "Formateur malade")]
    session.refresh_from_db()
    assert (session.status, session.cancelled_reason) == (SessionStatus.CANCELLED, "Formateur malade")
    assert "Formateur malade" in last_email_to(trainer.email).body_text


def test_a_receiver_failing_undoes_the_cancellation(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider))

    def receiver(**kwargs):
        raise RuntimeError("enrollments failed")

    session_cancelled.connect(receiver)
    try:
        with pytest.raises(RuntimeError):
            services.session_cancel(session=session, actor=referent, reason="Test")
    finally:
        session_cancelled.disconnect(receiver)

    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN
    assert not TransitionLog.objects.exists()


def test_cancel_needs_a_reason_and_a_session_not_yet_over(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider))

    with pytest.raises(CatalogRefused, match="motif"):
        services.session_cancel(session=session, actor=referent, reason="")
    past = today() - datetime.timedelta(days=10)
    session.starts_on, session.ends_on, session.registration_deadline = past, past, past
    session.save()
    with pytest.raises(TransitionRefused, match="terminée"):
        services.session_cancel(session=session, actor=referent, reason="Trop tard")
    services.session_cancel(
        session=SessionFactory(action=session.action, status=SessionStatus.CLOSED), actor=referent, reason="Ok"
    )


def test_a_cancelled_session_cannot_change(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider), status=SessionStatus.CANCELLED)

    with pytest.raises(CatalogRefused, match="déjà annulée"):
        services.session_cancel(session=session, actor=referent, reason="Encore")
    with pytest.raises(CatalogRefused, match="annulée"):
        services.session_update(session=session, actor=referent, data=session_data())
    with pytest.raises(CatalogRefused, match="annulée"):
        services.slots_add_usual(session=session, actor=referent)


def test_close_and_reopen(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider))

    services.session_close(session=session, actor=referent)
    session.refresh_from_db()
    assert session.status == SessionStatus.CLOSED
    with pytest.raises(CatalogRefused, match="déjà closes"):
        services.session_close(session=session, actor=referent)
    services.session_reopen(session=session, actor=referent)
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN


def test_reopen_after_the_deadline_is_refused(provider, referent):
    session = SessionFactory(
        action=TrainingActionFactory(provider=provider),
        status=SessionStatus.CLOSED,
        registration_deadline=today() - datetime.timedelta(days=1),
    )

    with pytest.raises(TransitionRefused, match="date limite"):
        services.session_reopen(session=session, actor=referent)


def test_enrollments_may_mark_a_session_full_and_open_again():
    session = SessionFactory()

    transition_run(services.SESSION_WORKFLOW, session, "fill")
    session.refresh_from_db()
    assert session.status == SessionStatus.FULL
    transition_run(services.SESSION_WORKFLOW, session, "free")
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN


# --- Half-days ----------------------------------------------------------------------------------------------


def test_slot_add_checks_the_date_the_half_day_and_the_times(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider), slots=False)
    nine, half_past_twelve, two, five = (datetime.time(*t) for t in ((9, 0), (12, 30), (14, 0), (17, 0)))

    slot = services.slot_add(
        session=session,
        actor=referent,
        date=session.starts_on,
        half_day=HalfDay.MORNING,
        starts_at=nine,
        ends_at=half_past_twelve,
    )
    assert slot.session == session
    cases = [
        (session.ends_on + datetime.timedelta(days=1), HalfDay.MORNING, nine, half_past_twelve, "date de la session"),
        (session.starts_on, HalfDay.MORNING, nine, half_past_twelve, "existe déjà"),
        (session.ends_on, HalfDay.AFTERNOON, five, two, "heure de fin"),
        (session.ends_on, HalfDay.MORNING, two, five, "14 h"),
        (session.ends_on, HalfDay.AFTERNOON, nine, half_past_twelve, "12 h"),
    ]
    for date, half_day, start, end, message in cases:
        with pytest.raises(CatalogRefused, match=message):
            services.slot_add(
                session=session, actor=referent, date=date, half_day=half_day, starts_at=start, ends_at=end
            )
    assert session.slots.count() == 1


def test_usual_half_days_skip_the_weekend_inside_the_session(provider, referent):
    friday = today() + datetime.timedelta(days=30)
    friday += datetime.timedelta(days=(4 - friday.weekday()) % 7)
    session = SessionFactory(
        action=TrainingActionFactory(provider=provider),
        starts_on=friday,
        ends_on=friday + datetime.timedelta(days=3),
    )
    # The factory's 2 half-days of the first day stay as they are.

    added = services.slots_add_usual(session=session, actor=referent)

    assert added == 2
    monday = friday + datetime.timedelta(days=3)
    assert sorted(session.slots.values_list("date", "half_day")) == [
        (friday, HalfDay.AFTERNOON),
        (friday, HalfDay.MORNING),
        (monday, HalfDay.AFTERNOON),
        (monday, HalfDay.MORNING),
    ]
    assert services.slots_add_usual(session=session, actor=referent) == 0


def test_a_weekend_session_keeps_its_days(provider, referent):
    saturday = today() + datetime.timedelta(days=30)
    saturday += datetime.timedelta(days=(5 - saturday.weekday()) % 7)
    session = SessionFactory(
        action=TrainingActionFactory(provider=provider),
        starts_on=saturday,
        ends_on=saturday + datetime.timedelta(days=1),
        slots=False,
    )

    assert services.slots_add_usual(session=session, actor=referent) == 4


def test_slot_remove(provider, referent):
    slot = SlotFactory(session=SessionFactory(action=TrainingActionFactory(provider=provider), slots=False))

    services.slot_remove(slot=slot, actor=referent)

    assert not Slot.objects.exists()
    assert AuditEvent.objects.filter(event_type="catalog.slot_removed").exists()


def test_someone_of_another_provider_changes_nothing(provider):
    session = SessionFactory(action=TrainingActionFactory(provider=provider))
    other = member(ProviderFactory(), Role.REFERENT).user

    for call in (
        lambda: services.session_close(session=session, actor=other),
        lambda: services.slots_add_usual(session=session, actor=other),
        lambda: services.session_update(session=session, actor=other, data=session_data()),
        lambda: services.action_archive(action=session.action, actor=other),
    ):
        with pytest.raises(PermissionDenied):
            call()


def _same_dates(session, **overrides):
    return session_data(
        starts_on=session.starts_on,
        ends_on=session.ends_on,
        registration_deadline=session.registration_deadline,
        **overrides,
    )


def test_capacity_cannot_drop_below_the_people_enrolled(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider), capacity=6, enrolled_count=4)

    with pytest.raises(CatalogRefused, match="4 personnes sont déjà inscrites") as refused:
        services.session_update(session=session, actor=referent, data=_same_dates(session, capacity=3))

    assert refused.value.field == "capacity"
    session.refresh_from_db()
    assert (session.capacity, session.status) == (6, SessionStatus.OPEN)


def test_capacity_lowered_to_the_people_enrolled_makes_the_session_full(provider, referent):
    session = SessionFactory(action=TrainingActionFactory(provider=provider), capacity=6, enrolled_count=4)

    services.session_update(session=session, actor=referent, data=_same_dates(session, capacity=4))

    session.refresh_from_db()
    assert (session.capacity, session.status, session.places_left) == (4, SessionStatus.FULL, 0)
