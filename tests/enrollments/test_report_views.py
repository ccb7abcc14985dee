"""The bilan's pages: who sees and does what (404 for what is not theirs, 403 beyond one's role), the form and its
errors (what was typed kept, nothing changed), the operator's decisions, and bounded queries."""

import html
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from parcours.enrollments import reports
from parcours.enrollments.enums import SessionReportStatus
from parcours.enrollments.models import AttendanceSheet, SessionReport
from parcours.notifications.models import Notification
from parcours.workflows.models import TransitionLog
from tests.catalog.factories import SessionFactory
from tests.enrollments.factories import EnrollmentFactory, cast
from tests.enrollments.factories_reports import A, E, P, SessionReportFactory, add_third_slot, attend, end_session

pytestmark = pytest.mark.django_db

R = SessionReportStatus
RESULTS = "Tous les stagiaires savent planifier un projet."


@pytest.fixture(autouse=True)
def _registered():
    reports.register()


@pytest.fixture
def people():
    people = cast()
    add_third_slot(people.session)
    end_session(people.session, days_ago=5)
    first = EnrollmentFactory(
        session=people.session, employer=people.employer, beneficiary=people.beneficiary, enrolled=True
    )
    second = EnrollmentFactory(session=people.session, enrolled=True)
    attend(first, (P, P, P))
    attend(second, (P, A, E))
    return people


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _text(response) -> str:
    return html.unescape(response.content.decode())


def edit_url(people) -> str:
    return reverse("reports:edit", args=[people.session.public_id, people.programme.public_id])


def _post(client, people, action, **data):
    return client.post(edit_url(people), {"action": action, **data})


# Provider: the list ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["provider_referent", "provider_manager", "trainer"])
def test_the_provider_and_the_sessions_trainer_see_the_list(client, people, role):
    response = _as(client, getattr(people, role)).get(reverse("reports:list"))

    assert response.status_code == 200
    text = _text(response)
    assert "Bilans de l’action" in text
    assert "Gestion de projet" in text
    assert edit_url(people) in text
    assert "À rédiger" in text


def test_a_trainer_of_other_sessions_sees_none_of_this_one(client, people):
    response = _as(client, people.provider_other_trainer).get(reverse("reports:list"))
    assert response.status_code == 200
    assert edit_url(people) not in response.content.decode()


@pytest.mark.parametrize(
    "role", ["beneficiary", "employer_referent", "operator_staff", "outsider", "colleague", "other_employer_referent"]
)
def test_who_works_for_no_provider_gets_a_403(client, people, role):
    assert _as(client, getattr(people, role)).get(reverse("reports:list")).status_code == 403


def test_another_provider_sees_its_own_list_without_this_session(client, people):
    response = _as(client, people.other_provider_referent).get(reverse("reports:list"))
    assert response.status_code == 200
    assert edit_url(people) not in response.content.decode()


def test_the_list_shows_the_operators_request_among_those_to_write(client, people):
    SessionReportFactory(
        session=people.session, programme=people.programme, changes_requested=True, operator_comment="Ajoutez X."
    )
    sent = end_session(SessionFactory(action=people.action), days_ago=30)
    EnrollmentFactory(session=sent, enrolled=True)
    SessionReportFactory(session=sent, accepted=True)

    text = _text(_as(client, people.provider_referent).get(reverse("reports:list")))

    to_write, sent_part = text.split('id="transmis"')
    assert "Modifications demandées" in to_write
    assert "Demande de l’opérateur : « Ajoutez X. »" in to_write
    assert "Accepté" in sent_part


def test_the_list_runs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    def grow(count):
        for days in range(count):
            session = end_session(SessionFactory(action=people.action), days_ago=10 + days)
            EnrollmentFactory(session=session, programme=people.programme, enrolled=True)
            SessionReportFactory(session=session, submitted=bool(days % 2))

    _as(client, people.provider_referent)
    grow(3)
    with django_assert_max_num_queries(14) as small:
        assert client.get(reverse("reports:list")).status_code == 200
    grow(30)
    with django_assert_max_num_queries(14) as large:
        assert client.get(reverse("reports:list")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


# Provider: the bilan's page --------------------------------------------------------------------------------------


def test_the_form_shows_the_figures_computed_live(client, people):
    response = _as(client, people.provider_referent).get(edit_url(people))

    assert response.status_code == 200
    text = _text(response)
    # Two trainees, 8.75 h each planned; 8.75 h + 3.5 h attended.
    for expected in ["17,5 h", "12,25 h", "70 %", "Transmettre à l’opérateur", "Enregistrer le brouillon"]:
        assert expected in text, expected
    assert 'name="results"' in text
    assert '<label class="fr-label" for="id_results">' in text


def test_a_trainer_reads_without_a_form_and_cannot_post(client, people):
    SessionReportFactory(session=people.session, programme=people.programme, results="Résultats du brouillon.")
    _as(client, people.trainer)

    response = client.get(edit_url(people))
    assert response.status_code == 200
    assert "Résultats du brouillon." in _text(response)
    assert 'name="results"' not in response.content.decode()

    assert _post(client, people, "transmettre", results=RESULTS).status_code == 403
    assert SessionReport.objects.get().status == R.DRAFT


@pytest.mark.parametrize(
    "role",
    ["other_provider_referent", "provider_other_trainer", "operator_staff", "employer_referent", "beneficiary"],
)
def test_the_bilans_page_is_a_404_for_anyone_else(client, people, role):
    _as(client, getattr(people, role))
    assert client.get(edit_url(people)).status_code == 404
    assert _post(client, people, "brouillon", results=RESULTS).status_code == 404
    assert not SessionReport.objects.exists()


def test_a_programme_without_trainees_in_the_session_is_a_404(client, people):
    session = end_session(SessionFactory(action=people.action), days_ago=9)
    url = reverse("reports:edit", args=[session.public_id, people.programme.public_id])
    assert _as(client, people.provider_referent).get(url).status_code == 404


def test_saving_a_draft_keeps_it_for_later(client, people):
    _as(client, people.provider_manager)

    response = _post(client, people, "brouillon", results="Premiers éléments.", difficulties="Une absence.")

    assert response.status_code == 302
    assert response.url == edit_url(people)
    report = SessionReport.objects.get()
    assert (report.status, report.results, report.difficulties) == (R.DRAFT, "Premiers éléments.", "Une absence.")
    assert "Le brouillon du bilan est enregistré" in _flash(response)[0]
    assert "Premiers éléments." in _text(client.get(edit_url(people)))


def test_submitting_sends_it_with_its_figures(client, people):
    _as(client, people.provider_referent)

    response = _post(client, people, "transmettre", results=RESULTS, comments="Bon groupe.")

    assert response.status_code == 302
    assert response.url == reverse("reports:list")
    report = SessionReport.objects.get()
    assert report.status == R.SUBMITTED
    assert (report.trainees_count, report.attended_hours, report.attendance_rate) == (
        2,
        Decimal("12.25"),
        Decimal("70.0"),
    )
    assert _flash(response) == [
        f"Le bilan est transmis à {people.programme.operator.name}. Vous serez prévenu(e) de sa décision."
    ]
    # Now read only, with the figures as sent.
    text = _text(client.get(edit_url(people)))
    assert 'name="results"' not in text
    assert "Chiffres transmis à l’opérateur" in text
    assert RESULTS in text


def test_submitting_without_results_redisplays_what_was_typed_and_changes_nothing(client, people):
    _as(client, people.provider_referent)

    response = _post(client, people, "transmettre", results="  ", comments="Mon commentaire tapé.")

    assert response.status_code == 400
    text = _text(response)
    assert "Décrivez les résultats obtenus : ils sont nécessaires pour transmettre le bilan." in text
    assert "Mon commentaire tapé." in text
    assert 'aria-invalid="true"' in text or "fr-input-group--error" in text
    assert not SessionReport.objects.exists()


def test_a_draft_may_have_no_results(client, people):
    _as(client, people.provider_referent)
    assert _post(client, people, "brouillon", results="", comments="Plus tard.").status_code == 302
    assert SessionReport.objects.get().comments == "Plus tard."


def test_before_the_end_the_page_says_so_and_a_post_changes_nothing(client, people):
    session = SessionFactory(action=people.action)  # in 30 days
    EnrollmentFactory(session=session, enrolled=True)
    url = reverse("reports:edit", args=[session.public_id, people.programme.public_id])
    _as(client, people.provider_referent)

    page = _text(client.get(url))
    assert "La session n’est pas terminée" in page or "La session n'est pas terminée" in page
    assert 'name="results"' not in page

    for action in ("brouillon", "transmettre"):
        response = client.post(url, {"action": action, "results": RESULTS})
        assert response.status_code == 400
        assert "La session n'est pas terminée : le bilan se rédige après sa fin." in _text(response)
    assert not SessionReport.objects.exists()


def test_an_open_sheet_is_announced_and_blocks_the_submission(client, people):
    sheet = AttendanceSheet.objects.filter(slot__session=people.session).order_by("slot__date", "slot__starts_at")[0]
    sheet.closed_at = None
    sheet.save()
    _as(client, people.provider_referent)

    assert "Au moins une feuille d’émargement de la session est encore ouverte" in _text(client.get(edit_url(people)))
    response = _post(client, people, "transmettre", results=RESULTS)

    assert response.status_code == 400
    assert f"La feuille d'émargement du {sheet.slot} est encore ouverte" in _text(response)
    assert RESULTS in _text(response)
    assert not SessionReport.objects.exists()
    assert not TransitionLog.objects.exists()


@pytest.mark.parametrize("state", [R.SUBMITTED, R.ACCEPTED])
def test_a_sent_or_accepted_bilan_cannot_be_changed_by_a_tampered_post(client, people, state):
    report = SessionReportFactory(session=people.session, programme=people.programme, status=state, results=RESULTS)
    _as(client, people.provider_referent)

    response = _post(client, people, "brouillon", results="Changé")

    assert response.status_code == 400
    assert "il ne peut plus être modifié" in _text(response)
    report.refresh_from_db()
    assert (report.status, report.results) == (state, RESULTS)


def test_the_bilans_page_runs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    report = SessionReportFactory(session=people.session, programme=people.programme, changes_requested=True)
    TransitionLog.objects.create(
        workflow="session_report",
        object_type="enrollments.sessionreport",
        object_id=report.public_id,
        action="request_changes",
        from_state=R.SUBMITTED,
        to_state=R.CHANGES_REQUESTED,
        actor=people.operator_staff,
        reason="À compléter",
    )
    _as(client, people.provider_referent)
    for _ in range(20):
        attend(EnrollmentFactory(session=people.session, enrolled=True), (P, P, A))
    with django_assert_max_num_queries(14):
        response = client.get(edit_url(people))
    assert "À compléter" in _text(response)


# Operator --------------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(people):
    return reports.report_submit(
        session=people.session, programme=people.programme, actor=people.provider_referent, results=RESULTS
    )


def test_the_operator_lists_the_reports_of_its_programmes(client, people, submitted):
    response = _as(client, people.operator_staff).get(reverse("reports:operator"))

    assert response.status_code == 200
    text = _text(response)
    assert reverse("reports:review", args=[submitted.public_id]) in text
    assert "Formations Durand" in text
    assert "Transmis à l’opérateur : 1" in text or "Transmis à l'opérateur : 1" in text


def test_another_operator_does_not_see_them(client, people, submitted):
    response = _as(client, people.other_operator_staff).get(reverse("reports:operator"))
    assert response.status_code == 200
    assert str(submitted.public_id) not in response.content.decode()
    review = reverse("reports:review", args=[submitted.public_id])
    assert client.get(review).status_code == 404
    assert client.post(reverse("reports:accept", args=[submitted.public_id])).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == R.SUBMITTED


@pytest.mark.parametrize("role", ["provider_referent", "trainer", "employer_referent", "beneficiary", "outsider"])
def test_who_is_no_operator_staff_gets_a_403_on_the_list_and_a_404_on_a_report(client, people, submitted, role):
    _as(client, getattr(people, role))
    assert client.get(reverse("reports:operator")).status_code == 403
    assert client.get(reverse("reports:review", args=[submitted.public_id])).status_code == 404


def test_the_operators_filter_and_a_tampered_status(client, people, submitted):
    accepted = SessionReportFactory(session=end_session(SessionFactory(action=people.action)), accepted=True)
    _as(client, people.operator_staff)

    text = client.get(reverse("reports:operator"), {"statut": "accepted"}).content.decode()
    assert str(accepted.public_id) in text
    assert str(submitted.public_id) not in text

    response = client.get(reverse("reports:operator"), {"statut": "draft"})
    assert response.status_code == 200
    assert "Choisissez un statut de la liste." in _text(response)
    assert str(submitted.public_id) in response.content.decode()


def test_a_draft_is_not_the_operators_business(client, people):
    draft = SessionReportFactory(session=people.session, programme=people.programme)
    assert _as(client, people.operator_staff).get(reverse("reports:review", args=[draft.public_id])).status_code == 404


def test_the_operator_reads_the_figures_and_texts_as_sent(client, people, submitted):
    response = _as(client, people.operator_staff).get(reverse("reports:review", args=[submitted.public_id]))

    assert response.status_code == 200
    text = _text(response)
    for expected in [RESULTS, "17,5 h", "12,25 h", "70 %", "Accepter le bilan", "Demander des modifications"]:
        assert expected in text, expected
    assert '<label class="fr-label" for="id_reason">' in text


def test_accepting(client, people, submitted):
    _as(client, people.operator_staff)

    response = client.post(reverse("reports:accept", args=[submitted.public_id]))

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == R.ACCEPTED
    assert _flash(response) == ["Le bilan est accepté ; Formations Durand en est prévenu."]
    assert Notification.objects.filter(user=people.provider_referent, category=reports.CATEGORY_DECISION).exists()
    page = _text(client.get(reverse("reports:review", args=[submitted.public_id])))
    assert "Accepter le bilan" not in page
    # Twice: a clear message, no change.
    again = client.post(reverse("reports:accept", args=[submitted.public_id]))
    assert _flash(again) == ["Ce bilan n'attend pas de décision : il est « accepté »."]
    assert TransitionLog.objects.filter(action="accept").count() == 1


def test_asking_for_changes_needs_a_reason_redisplayed(client, people, submitted):
    _as(client, people.operator_staff)
    url = reverse("reports:request_changes", args=[submitted.public_id])

    response = client.post(url, {"reason": "   "})

    assert response.status_code == 400
    text = _text(response)
    assert "Indiquez les modifications attendues : elles sont transmises à l'organisme de formation." in text
    assert "Indiquez les modifications attendues avant de renvoyer le bilan." in text
    submitted.refresh_from_db()
    assert submitted.status == R.SUBMITTED

    response = client.post(url, {"reason": "Précisez les certifications obtenues."})

    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.status, submitted.operator_comment) == (
        R.CHANGES_REQUESTED,
        "Précisez les certifications obtenues.",
    )
    # The provider sees the request on its page, with the form again.
    page = _text(_as(client, people.provider_manager).get(edit_url(people)))
    assert "Précisez les certifications obtenues." in page
    assert 'name="results"' in page


def test_the_operator_pages_run_a_bounded_number_of_queries(client, people, submitted, django_assert_max_num_queries):
    def grow(count):
        for days in range(count):
            session = end_session(SessionFactory(action=people.action), days_ago=10 + days)
            SessionReportFactory(session=session, submitted=True)

    _as(client, people.operator_staff)
    with django_assert_max_num_queries(10) as small:
        assert client.get(reverse("reports:operator")).status_code == 200
    grow(reports.PER_PAGE + 5)
    with django_assert_max_num_queries(10) as large:
        response = client.get(reverse("reports:operator"))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert "page 1 sur 2" in _text(response)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reports:review", args=[submitted.public_id])).status_code == 200
