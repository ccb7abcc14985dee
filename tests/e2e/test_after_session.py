"""After a session, in the browser (issue 8): a trainee answers the satisfaction questionnaire from the emailed
link, the provider submits the bilan de l'action, the gestionnaire accepts it and reads the statistics' charts,
the employer downloads the yearly recap (PDF and XLSX)."""

import datetime
import io
import re
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from parcours.accounts.services.mfa import totp_activate
from parcours.catalog.enums import HalfDay
from parcours.enrollments import attendance, satisfaction
from parcours.enrollments.enums import AttendanceStatus, SessionReportStatus
from parcours.enrollments.models import SatisfactionSurvey, SessionReport, SurveyResponse
from parcours.organisations.models import Role
from tests.catalog.factories import ProgrammeFactory, SessionFactory, SlotFactory, TrainingActionFactory
from tests.e2e.journeys import field, fresh_code, log_in, log_out, navigation, open_dashboard, open_login, submit_login
from tests.enrollments.factories import EnrollmentFactory
from tests.helpers.outbox import first_link, last_email_to
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member

TITLE = "Gestion de la paie — les bases"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OVERALL = "Dans l'ensemble, êtes-vous satisfait(e) de cette formation ?"
# Five colleagues answered before the trainee of the journey: overall scores 5, 4, 4, 3, 5.
EARLIER = [(5, "Oui"), (4, "Oui"), (4, "Sans avis"), (3, "Non"), (5, "Oui")]


def setting_the_scene():
    """An operator with its gestionnaire (TOTP) and the standard questionnaire; a provider, its référent and
    trainer; an employer, its référent and six employees enrolled in a session that ended yesterday, each
    half-day signed (one absence), the questionnaire open and answered by five of them."""
    operator = OperatorFactory(name="Région Occitanie")
    gestionnaire = member(operator, Role.MANAGER, first_name="Anne", last_name="Durand").user
    totp_activate(user=gestionnaire, secret=SECRET)
    programme = ProgrammeFactory(operator=operator, name="Offre de professionnalisation 2026")
    satisfaction.survey_questions_add_standard(programme=programme, actor=gestionnaire)
    provider = ProviderFactory(name="Compta Formation Sud")
    provider_referent = member(provider, Role.REFERENT, first_name="Claire", last_name="Fontaine").user
    trainer = member(provider, Role.TRAINER, first_name="Nadia", last_name="Rahmani").user
    employer = EmployerFactory(name="Boulangeries Castan")
    employer_referent = member(employer, Role.REFERENT, first_name="Sophie", last_name="Castan").user
    names = [("Lucas", "Martin"), ("Léa", "Garnier"), ("Hugo", "Mercier"), ("Chloé", "Faure"), ("Emma", "Perrin")]
    colleagues = [member(employer, Role.EMPLOYEE, first_name=f, last_name=n).user for f, n in names]
    trainee = member(employer, Role.EMPLOYEE, first_name="Thomas", last_name="Roux").user
    action = TrainingActionFactory(provider=provider, programmes=[programme], title=TITLE, duration_hours=Decimal(14))
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    session = SessionFactory(
        action=action,
        starts_on=yesterday - datetime.timedelta(days=1),
        ends_on=yesterday,
        registration_deadline=yesterday - datetime.timedelta(days=10),
        slots=False,
    )
    session.trainers.add(trainer)
    for day in (session.starts_on, session.ends_on):
        SlotFactory(session=session, date=day, half_day=HalfDay.MORNING)  # 9:00–12:30
        SlotFactory(
            session=session,
            date=day,
            half_day=HalfDay.AFTERNOON,
            starts_at=datetime.time(13, 30),
            ends_at=datetime.time(17, 0),
        )
    for user in [*colleagues, trainee]:
        EnrollmentFactory(session=session, programme=programme, beneficiary=user, employer=employer, enrolled=True)
    # The trainer took attendance: everyone present, but the trainee missed the last afternoon.
    last = session.slots.order_by("date", "starts_at").last()
    for slot in session.slots.all():
        sheet = attendance.sheet_open(slot=slot, actor=trainer)
        for record in sheet.records.select_related("enrollment__beneficiary"):
            absent = slot == last and record.enrollment.beneficiary == trainee
            status = AttendanceStatus.ABSENT if absent else AttendanceStatus.PRESENT
            attendance.record_status_set(record=record, status=status, actor=trainer)
        attendance.sheet_close(sheet=sheet, trainer_name="Nadia Rahmani", consent=True, actor=trainer)
    # The hourly job opens the questionnaire and emails the trainees.
    assert len(satisfaction.surveys_open_due().opened) == 1
    survey = SatisfactionSurvey.objects.get(session=session)
    keys = {question["label"]: question["key"] for question in survey.questions}
    for user, (score, recommend) in zip(colleagues, EARLIER, strict=True):
        invitation = survey.invitations.get(enrollment__beneficiary=user)
        answers = {key: "4" for label, key in keys.items() if label.startswith(("Êtes", "Dans"))}
        answers[keys[OVERALL]] = str(score)
        answers[keys["Recommanderiez-vous cette formation ?"]] = recommend
        satisfaction.survey_answer(invitation=invitation, actor=user, answers=answers)
    return gestionnaire, provider_referent, employer_referent, trainee, session


def choose(page: Page, question: str, answer: str) -> None:
    """DSFR radios are styled labels: click the answer's label, as a person does."""
    page.get_by_role("group", name=question).get_by_text(answer, exact=True).click()


def trainee_answers(page: Page, axe, trainee) -> None:
    email = last_email_to(trainee.email)
    assert email.subject == f"Votre avis sur la formation « {TITLE} »"
    page.goto(first_link(email, contains="/questionnaires/"))
    expect(page.get_by_role("heading", name=re.compile("Connexion à"))).to_be_visible()
    axe()
    submit_login(page, trainee.email)
    expect(page.get_by_role("heading", name=f"Votre avis sur la formation « {TITLE} »", level=1)).to_be_visible()
    expect(page.get_by_text("Vos réponses sont anonymes")).to_be_visible()
    axe()

    # Sent half-filled: the message is next to the missing answers and what was chosen stays chosen.
    choose(page, OVERALL, "2")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_text("Répondez à cette question.")).to_have_count(4)
    expect(page.get_by_role("group", name=OVERALL).get_by_label("2", exact=True)).to_be_checked()
    assert SurveyResponse.objects.filter(survey__session__action__title=TITLE).count() == 5
    axe()

    for question in (
        "Êtes-vous satisfait(e) du contenu de la formation ?",
        "Êtes-vous satisfait(e) de la formatrice ou du formateur ?",
        "Êtes-vous satisfait(e) de l'organisation et des conditions de la formation (lieu, horaires, matériel) ?",
    ):
        choose(page, question, "3")
    choose(page, "Recommanderiez-vous cette formation ?", "Non")
    field(page, "Ce qui pourrait être amélioré").fill("Plus d'exercices sur les cas réels.")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_text("Merci : vos réponses sont enregistrées.")).to_be_visible()
    axe()
    # Once only: the page now says so and offers no form.
    expect(page.get_by_role("button", name="Envoyer mes réponses")).to_have_count(0)
    open_dashboard(page, "Mes questionnaires de satisfaction")
    expect(page.get_by_role("heading", name="Mes questionnaires de satisfaction", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_contain_text("Répondu")
    axe()
    log_out(page, axe)

    survey = SatisfactionSurvey.objects.get(session__action__title=TITLE)
    assert survey.answered_count == 6
    # Anonymous: no response names anybody.
    assert not SurveyResponse.objects.filter(survey=survey, enrollment__isnull=False).exists()


def provider_submits_the_bilan(page: Page, axe, referent, session) -> None:
    log_in(page, axe, referent)
    open_dashboard(page, "Bilans de l'action")
    expect(page.get_by_role("heading", name="Bilans de l’action", level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name=re.compile(f"^{re.escape(TITLE)}")).click()
    expect(page.get_by_role("heading", name="Bilan de l’action", level=1)).to_be_visible()
    # The figures come from the sheets: 6 trainees × 14 h planned, the trainee missed 3.5 h.
    expect(page.get_by_text("84 h").first).to_be_visible()
    expect(page.get_by_text("80,5 h").first).to_be_visible()
    expect(page.get_by_text("95,8 %").first).to_be_visible()
    axe()

    # Sent without results: refused next to the field, the typed difficulties kept, nothing sent.
    field(page, "Difficultés rencontrées").fill("Une salle trop petite le premier jour.")
    page.get_by_role("button", name="Transmettre à l’opérateur").click()
    expect(page.get_by_text(re.compile("^Décrivez les résultats obtenus")).first).to_be_visible()
    expect(field(page, "Difficultés rencontrées")).to_have_value("Une salle trop petite le premier jour.")
    assert not SessionReport.objects.filter(session=session, status=SessionReportStatus.SUBMITTED).exists()
    axe()

    field(page, "Résultats obtenus").fill("Tous les stagiaires savent établir un bulletin de paie.")
    page.get_by_role("button", name="Transmettre à l’opérateur").click()
    expect(page.get_by_text("Le bilan est transmis à Région Occitanie.", exact=False)).to_be_visible()
    axe()
    log_out(page, axe)
    report = SessionReport.objects.get(session=session)
    assert report.status == SessionReportStatus.SUBMITTED
    assert (report.planned_hours, report.attended_hours, report.attendance_rate) == (
        Decimal("84.00"),
        Decimal("80.50"),
        Decimal("95.8"),
    )


def gestionnaire_accepts_and_reads_the_statistics(page: Page, axe, clock, gestionnaire, session) -> None:
    open_login(page, axe)
    submit_login(page, gestionnaire.email)
    expect(page.get_by_role("heading", name="Saisissez votre code de vérification")).to_be_visible()
    axe()
    page.get_by_label("Code de vérification").fill(fresh_code(clock, SECRET))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("banner")).to_contain_text("Anne Durand")
    axe()
    navigation(page).get_by_role("button", name="Espace opérateur").click()
    navigation(page).get_by_role("link", name="Bilans de l'action").click()
    expect(page.get_by_role("heading", name="Bilans de l’action reçus", level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Bilan de l’action", level=1)).to_be_visible()
    expect(page.get_by_text("Tous les stagiaires savent établir un bulletin de paie.")).to_be_visible()
    axe()
    page.get_by_role("button", name="Accepter le bilan").click()
    expect(page.get_by_text("Le bilan est accepté ; Compta Formation Sud en est prévenu.")).to_be_visible()
    axe()
    assert SessionReport.objects.get(session=session).status == SessionReportStatus.ACCEPTED

    navigation(page).get_by_role("button", name="Espace opérateur").click()
    navigation(page).get_by_role("link", name="Statistiques").click()
    expect(page.get_by_role("heading", name="Statistiques des programmes", level=1)).to_be_visible()
    # Charts drawn on the server, each an image with its name, and the table of its figures.
    charts = page.get_by_role("img").filter(has=page.locator("title"))
    expect(charts).to_have_count(3)
    hours = page.get_by_role("table", name=re.compile("^Heures de formation et assiduité"))
    expect(hours.get_by_role("row").filter(has_text=re.compile("Taux d.assiduité"))).to_contain_text("95,8")
    satisfaction_table = page.get_by_role("table", name=re.compile("^Répartition des notes de satisfaction"))
    expect(satisfaction_table).to_be_visible()
    axe()
    log_out(page, axe)


def employer_downloads_the_recap(page: Page, axe, referent) -> None:
    log_in(page, axe, referent)
    open_dashboard(page, "Récapitulatif annuel des salariés")
    expect(page.get_by_role("heading", name="Récapitulatif annuel des formations", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Total pour Roux Thomas")).to_contain_text("10,5")
    axe()
    year = timezone.localdate().year
    for link_name, content_type in (
        ("Télécharger en PDF", "application/pdf"),
        ("Télécharger en XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        link = page.get_by_role("link", name=re.compile(f"^{link_name}"))
        response = page.request.get(page.live_server_url + link.get_attribute("href"))
        assert response.status == 200
        assert response.headers["content-type"] == content_type
        if content_type == "application/pdf":
            text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
            assert "Boulangeries Castan" in text
            assert str(year) in text
            assert "Roux" in text
        else:
            sheet = load_workbook(io.BytesIO(response.body())).active
            cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]
            assert any("Roux" in str(cell) for cell in cells)
            assert TITLE in cells
    log_out(page, axe)


def test_after_the_session_every_party_does_its_part(page: Page, axe, clock):
    gestionnaire, provider_referent, employer_referent, trainee, session = setting_the_scene()

    trainee_answers(page, axe, trainee)
    provider_submits_the_bilan(page, axe, provider_referent, session)
    gestionnaire_accepts_and_reads_the_statistics(page, axe, clock, gestionnaire, session)
    employer_downloads_the_recap(page, axe, employer_referent)
