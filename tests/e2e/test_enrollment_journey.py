"""The enrollment journey in the browser (issue 6): a provider publishes an action and a session, an employee
finds it with a French search and asks for it, the employer approves from the alert email, the provider
validates, and the employee sees the enrollment and its notification."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from parcours.catalog.models import Session, TrainingAction
from parcours.enrollments.models import Enrollment
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProgrammeFactory
from tests.e2e.conftest import tick
from tests.e2e.journeys import field, log_in, log_out, navigation, open_dashboard, submit_login
from tests.helpers.outbox import first_link, last_email_to
from tests.organisations.factories import EmployerFactory, MembershipFactory, OperatorFactory, ProviderFactory

TITLE = "Soudure à l’arc électrique — initiation"
PLACE = "8 rue des Forges, 93200 Saint-Denis"


def _person(organisation, role: str, first_name: str, last_name: str):
    user = UserFactory(first_name=first_name, last_name=last_name, registration_kind="professionnel")
    MembershipFactory(organisation=organisation, user=user, role=role)
    return user


def _next_monday(days_ahead: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def provider_publishes(page: Page, axe, referent, programme, starts_on: datetime.date) -> None:
    log_in(page, axe, referent)
    open_dashboard(page, "Mon offre de formation")
    expect(page.get_by_role("heading", name="Mon offre de formation", level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name="Créer une action de formation").click()
    expect(page.get_by_role("heading", name="Nouvelle action de formation", level=1)).to_be_visible()
    axe()
    field(page, "Intitulé de l'action").fill(TITLE)
    field(page, "Résumé").fill("Deux jours pour apprendre les gestes du poste à l’arc.")
    field(page, "Objectifs pédagogiques").fill("Réaliser une soudure bout à bout en sécurité.")
    field(page, "Public visé").fill("Salariés de la métallerie et du bâtiment.")
    tick(page, "Action de formation")
    field(page, "Durée en heures").fill("14")
    field(page, "Prix en euros TTC").fill("850,50")
    tick(page, "En présentiel")
    field(page, "Lieu habituel").fill(PLACE)
    field(page, "Accessibilité aux personnes").fill("Atelier de plain-pied, référente handicap.")
    field(page, "Modalités d'évaluation").fill("Mise en situation sur une pièce test.")
    tick(page, "Attestation de fin de formation")
    tick(page, programme.name)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("L'action est enregistrée en brouillon")).to_be_visible()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    axe()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("L'action est publiée : elle apparaît dans le catalogue.")).to_be_visible()
    axe()
    assert TrainingAction.objects.get(title=TITLE).department_code == "93"

    page.get_by_role("link", name="Ajouter une session").click()
    expect(page.get_by_role("heading", name="Nouvelle session", level=1)).to_be_visible()
    expect(field(page, "Lieu ")).to_have_value(PLACE)
    axe()
    field(page, "Premier jour").fill(starts_on.isoformat())
    field(page, "Dernier jour").fill((starts_on + datetime.timedelta(days=1)).isoformat())
    page.get_by_label("Nombre de places").fill("8")
    field(page, "Date limite d'inscription").fill((starts_on - datetime.timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Enregistrer la session").click()
    expect(page.get_by_text("La session est créée. Ajoutez maintenant ses demi-journées.")).to_be_visible()
    axe()
    page.get_by_role("button", name="Ajouter les demi-journées habituelles").click()
    expect(page.get_by_text("4 demi-journées ajoutées.")).to_be_visible()
    expect(page.get_by_role("table", name="Demi-journées de la session").get_by_role("row")).to_have_count(5)
    axe()
    log_out(page, axe)


def employee_asks(page: Page, axe, employee) -> None:
    log_in(page, axe, employee)
    navigation(page).get_by_role("link", name="Trouver une formation").click()
    expect(page.get_by_role("heading", name="Catalogue des formations", level=1)).to_be_visible()
    axe()
    # Without accents and in the plural: the French search finds "Soudure à l’arc électrique".
    page.get_by_label("Mots-clés").fill("soudures electriques")
    page.get_by_label("Mots-clés").press("Enter")
    results = page.locator("#resultats")
    expect(results.get_by_role("link", name=TITLE)).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=soudures(\+|%20)electriques"))
    axe()
    results.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    axe()
    page.get_by_role("link", name="Demander une inscription").first.click()
    expect(page.get_by_role("heading", name="Demander une inscription", level=1)).to_be_visible()
    axe()
    page.get_by_label("Vos attentes").fill("Passer la qualification soudeur de mon atelier.")
    page.get_by_role("button", name="Envoyer ma demande").click()

    expect(page.get_by_text("Votre demande est envoyée : votre employeur est prévenu")).to_be_visible()
    expect(page.get_by_text("En attente de l'accord de l'employeur").first).to_be_visible()
    axe()
    log_out(page, axe)


def test_a_provider_publishes_an_employee_asks_the_employer_approves_and_the_provider_validates(page: Page, axe):
    operator = OperatorFactory(name="Région Île-de-France")
    programme = ProgrammeFactory(operator=operator, name="Compétences métiers 2026")
    provider = ProviderFactory(name="Atelier Formation Métal")
    provider_referent = _person(provider, "referent", "Karim", "Benali")
    employer = EmployerFactory(name="Métallerie Dubois")
    employer_referent = _person(employer, "referent", "Sophie", "Dubois")
    employee = _person(employer, "employee", "Lucas", "Martin")
    starts_on = _next_monday(30)

    provider_publishes(page, axe, provider_referent, programme, starts_on)
    session = Session.objects.get(action__title=TITLE)
    assert (session.capacity, session.slots.count()) == (8, 4)

    employee_asks(page, axe, employee)
    enrollment = Enrollment.objects.get(beneficiary=employee)
    assert enrollment.session == session

    # The employer's référent follows the alert's link: the login page, then the request.
    email = last_email_to(employer_referent.email)
    assert email.subject == "Une demande d'inscription attend votre accord"
    page.goto(first_link(email, contains="/inscriptions/"))
    expect(page.get_by_role("heading", name=re.compile("Connexion à"))).to_be_visible()
    axe()
    submit_login(page, employer_referent.email)
    expect(page.get_by_role("heading", name="Demande d’inscription de Lucas Martin", level=1)).to_be_visible()
    expect(page.get_by_text("Passer la qualification soudeur de mon atelier.")).to_be_visible()
    axe()
    page.get_by_role("button", name="Donner l'accord de l'employeur").click()
    expect(page.get_by_text("Vous avez donné votre accord : l'organisme de formation est prévenu.")).to_be_visible()
    expect(page.get_by_text("En attente de validation par l'organisme").first).to_be_visible()
    axe()
    log_out(page, axe)

    # The provider is alerted, and validates from its dashboard.
    email = last_email_to(provider_referent.email)
    assert email.subject == "Une demande d'inscription est à valider"
    log_in(page, axe, provider_referent)
    open_dashboard(page, "Inscriptions à mes sessions")
    expect(page.get_by_role("heading", name="Inscriptions à vos sessions", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Lucas Martin")
    expect(row).to_contain_text("Métallerie Dubois")
    axe()
    row.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", name="Demande d’inscription de Lucas Martin", level=1)).to_be_visible()
    axe()
    page.get_by_role("button", name="Valider l'inscription").click()
    expect(page.get_by_text("L'inscription est validée : le bénéficiaire et son employeur sont")).to_be_visible()
    expect(page.get_by_text("Inscrit", exact=True).first).to_be_visible()
    axe()
    log_out(page, axe)

    email = last_email_to(employee.email)
    assert email.subject == "L'inscription est confirmée"
    assert "Lucas Martin est inscrit(e) à « Soudure à l’arc électrique — initiation »" in email.body_text

    log_in(page, axe, employee)
    open_dashboard(page, "Mes formations")
    expect(page.get_by_role("heading", name="Mes formations", level=1)).to_be_visible()
    row = page.get_by_role("region", name=re.compile("Formations à venir")).get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Inscrit")
    axe()
    # The approval and the enrollment: two unread notifications, counted in the header.
    bell = page.get_by_role("banner").get_by_role("link", name=re.compile("Notifications")).first
    expect(bell).to_contain_text("(2)")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications", level=1)).to_be_visible()
    card = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="L'inscription est confirmée"))
    expect(card.get_by_text("Non lue")).to_be_visible()
    axe()
    enrollment.refresh_from_db()
    session.refresh_from_db()
    assert (enrollment.state, session.enrolled_count) == ("enrolled", 1)
