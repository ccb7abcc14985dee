"""Organisations in the browser (issue 5): a creation validated by an operator, a join decided by the
référent, a school signed up by its UAI, and an access request granted by the school's holder."""

import re

import pytest
from playwright.sync_api import Page, expect

from parcours.accounts.services.mfa import totp_activate
from parcours.organisations.models import Membership, MembershipStatus, Organisation, OrganisationStatus, Role
from parcours.web.demo_organisations import directory_load
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import tick, wait_for_captcha
from tests.e2e.journeys import fresh_code, log_in, log_out, open_login, submit_login
from tests.helpers.outbox import first_link, last_email_to
from tests.organisations.factories import EmployerFactory, MembershipFactory, OperatorFactory, SchoolFactory

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "cheval-agrafe-pile-correcte"
# In the SIRENE sample, not in Parcours: the head office of a SAS in Nantes (department 44).
SIRET = "81234567600017"
# A lycée of the education directory sample whose Mail gives the forced login.
LYCEE_UAI = "0932030B"
LYCEE_EMAIL = "ce.0932030b@ac-creteil.fr"


@pytest.fixture(autouse=True)
def _directory(settings, transactional_db):
    """The shipped reference samples in the live server's database; never the public APIs."""
    settings.PARCOURS_DIRECTORY_BACKEND = "local"
    settings.PARCOURS_ENTREPRISES_API_URL = "http://127.0.0.1:9"
    settings.PARCOURS_EDUCATION_API_URL = "http://127.0.0.1:9"
    directory_load()


def open_my_structures(page: Page, axe) -> None:
    page.get_by_role("navigation", name=re.compile("principal", re.I)).get_by_role(
        "link", name="Mes structures"
    ).click()
    expect(page.get_by_role("heading", name="Mes structures", level=1)).to_be_visible()
    axe()


def search_structure(page: Page, axe, text: str) -> None:
    """From "Mes structures": the search page, then the results as one types (htmx)."""
    page.get_by_role("link", name="Rattacher mon compte à une structure").click()
    expect(page.get_by_role("heading", name="Rattacher mon compte à une structure")).to_be_visible()
    axe()
    page.get_by_label("SIRET, nom ou commune").fill(text)
    page.get_by_role("button", name="Rechercher").click()


def test_an_employer_asks_for_its_organisation_and_an_operator_validates_it(page: Page, axe, clock):
    requester = UserFactory(first_name="Nathalie", last_name="Girard", registration_kind="professionnel")
    operator = OperatorFactory(name="Région Pays de la Loire", profile__departments=["44", "49", "85"])
    staff = UserFactory(first_name="Claire", last_name="Martin")
    MembershipFactory(organisation=operator, user=staff, role=Role.MANAGER)
    totp_activate(user=staff, secret=SECRET)

    log_in(page, axe, requester)
    open_my_structures(page, axe)
    expect(page.get_by_text("Votre compte n’est rattaché à aucune structure")).to_be_visible()
    search_structure(page, axe, "812 345 676 00017")
    results = page.locator("#resultats")
    expect(results.get_by_text("Dans l’annuaire des entreprises, pas encore inscrites")).to_be_visible()
    expect(results).to_contain_text("ATELIERS NUMERIQUES DE LA LOIRE")
    axe()
    results.get_by_role("link", name="Demander la création").first.click()

    # Pre-filled from SIRENE: the SIRET is fixed, the person says what the structure is and their function.
    expect(page.get_by_role("heading", name="Demander la création de ma structure")).to_be_visible()
    expect(page.get_by_label("Numéro SIRET")).to_have_value(SIRET)
    expect(page.get_by_label("Numéro SIRET")).to_be_disabled()
    expect(page.get_by_label("Code postal")).to_have_value("44000")
    axe()
    page.get_by_label("Votre fonction").fill("Gérante")
    page.get_by_role("button", name="Envoyer la demande de création").click()
    expect(page.get_by_text("Cochez au moins une case : employeur ou organisme de formation.")).to_be_visible()
    expect(page.get_by_label("Votre fonction")).to_have_value("Gérante")
    axe()
    tick(page, "Employeur")
    page.get_by_role("button", name="Envoyer la demande de création").click()

    expect(page.get_by_role("heading", name="Votre demande est envoyée")).to_be_visible()
    expect(page.get_by_text(re.compile("la validation prend en général 24 à 48 heures"))).to_be_visible()
    axe()
    organisation = Organisation.objects.get(siret=SIRET)
    assert organisation.status == OrganisationStatus.PENDING
    assert organisation.department_code == "44"
    log_out(page, axe)

    # The operator of the territory logs in with a code and decides from the queue.
    open_login(page, axe)
    submit_login(page, staff.email)
    expect(page.get_by_role("heading", name="Saisissez votre code de vérification")).to_be_visible()
    axe()
    page.get_by_label("Code de vérification").fill(fresh_code(clock, SECRET))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("banner")).to_contain_text("Claire Martin")
    axe()
    page.get_by_role("navigation", name="Menu principal").get_by_role("button", name="Espace opérateur").click()
    page.get_by_role("link", name="Demandes à traiter").click()
    expect(page.get_by_role("heading", name="Espace opérateur", level=1)).to_be_visible()
    row = page.get_by_role("row").filter(has_text=SIRET)
    expect(row).to_contain_text("Nathalie Girard")
    axe()
    row.get_by_role("link", name="Création d'organisation").click()

    expect(page.get_by_role("heading", name=re.compile("Création d'organisation — "))).to_be_visible()
    expect(page.get_by_text("pré-remplies depuis l’annuaire")).to_be_visible()
    axe()
    tick(page, "Accepter la demande")
    page.get_by_role("button", name="Enregistrer la décision").click()
    expect(page.get_by_text(re.compile(r"Demande acceptée \(création d'organisation"))).to_be_visible()
    axe()
    log_out(page, axe)

    email = last_email_to(requester.email)
    assert "est acceptée" in email.subject
    assert "Votre rôle : Référent." in email.body_text

    log_in(page, axe, requester)
    open_my_structures(page, axe)
    row = page.get_by_role("row").filter(has_text=organisation.name)
    expect(row.get_by_role("cell").nth(2)).to_have_text("Référent")
    expect(row.get_by_text("Validée")).to_be_visible()


def test_a_second_person_asks_to_join_and_the_referent_accepts(page: Page, axe):
    organisation = EmployerFactory(name="Menuiserie Leroux et Fils", postal_code="44000", city="Nantes")
    referent = UserFactory(first_name="Paul", last_name="Henry", registration_kind="professionnel")
    MembershipFactory(organisation=organisation, user=referent, role=Role.REFERENT)
    newcomer = UserFactory(first_name="Inès", last_name="Haddad", registration_kind="professionnel")

    log_in(page, axe, newcomer)
    open_my_structures(page, axe)
    search_structure(page, axe, "menuiserie leroux")
    results = page.locator("#resultats")
    expect(results.get_by_role("heading", name="Structures déjà inscrites")).to_be_visible()
    axe()
    results.get_by_role("listitem").filter(has_text="Menuiserie Leroux et Fils").get_by_role(
        "link", name="Demander à rejoindre"
    ).click()

    expect(page.get_by_role("heading", name="Rejoindre Menuiserie Leroux et Fils")).to_be_visible()
    axe()
    tick(page, "Gestionnaire")
    page.get_by_label("Votre fonction").fill("Responsable RH")
    page.get_by_label("Message pour la personne qui décide (facultatif)").fill("Je remplace Mme Roux.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_text("Demande pour rejoindre Menuiserie Leroux et Fils envoyée")).to_be_visible()
    expect(page.get_by_text("Un référent de la structure décide de votre demande.")).to_be_visible()
    axe()
    log_out(page, axe)

    log_in(page, axe, referent)
    open_my_structures(page, axe)
    page.get_by_role("link", name="1 demande de rattachement à traiter").click()
    expect(page.get_by_role("heading", name="Demandes de rattachement", level=1)).to_be_visible()
    card = page.get_by_role("region", name="Inès Haddad")
    expect(card).to_contain_text("Responsable RH")
    expect(card).to_contain_text("Je remplace Mme Roux.")
    axe()
    card.get_by_role("button", name="Accepter").click()
    expect(page.get_by_text("La demande de Inès Haddad est acceptée")).to_be_visible()
    expect(page.get_by_text("Aucune demande en attente.")).to_be_visible()
    axe()

    membership = Membership.objects.get(organisation=organisation, user=newcomer)
    assert (membership.status, membership.role, membership.job_title) == (
        MembershipStatus.ACTIVE,
        Role.MANAGER,
        "Responsable RH",
    )
    email = last_email_to(newcomer.email)
    assert email.subject == "Votre demande pour Menuiserie Leroux et Fils est acceptée"
    assert "/structures/" in first_link(email, contains="/structures/")


def test_a_school_signs_up_with_its_uai_and_confirms_from_the_email(page: Page, axe):
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name=re.compile("Établissement scolaire")).first.click()
    expect(page.get_by_role("heading", name="Inscrire votre établissement scolaire")).to_be_visible()
    axe()
    page.get_by_label("Code UAI (ou RNE) de l'établissement").fill("0932030C")  # a typo in the letter
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_text("la lettre de contrôle de 0932030 est B")).to_be_visible()
    axe()
    page.get_by_label("Code UAI (ou RNE) de l'établissement").fill(LYCEE_UAI.lower())
    page.get_by_role("button", name="Continuer").click()

    # The directory's data and the login the school must use.
    expect(page.get_by_role("heading", name="Inscription de votre établissement")).to_be_visible()
    expect(page.get_by_text("Lycée polyvalent Maurice Utrillo").first).to_be_visible()
    expect(page.get_by_text(LYCEE_EMAIL)).to_be_visible()
    axe()
    tick(page, "Madame")
    page.get_by_label("Nom", exact=True).fill("Lambert")
    page.get_by_label("Prénom", exact=True).fill("Sophie")
    page.get_by_label(re.compile("Fonction dans l'établissement")).fill("Proviseure adjointe")
    page.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(PASSWORD)
    tick(page, "Je déclare avoir lu")
    wait_for_captcha(page)
    page.get_by_role("button", name="Créer le compte de l’établissement").click()

    expect(page.get_by_role("heading", name=re.compile("Finalisez votre inscription"))).to_be_visible()
    expect(page.get_by_text(LYCEE_EMAIL).first).to_be_visible()
    axe()
    assert not Organisation.objects.filter(uai=LYCEE_UAI).exists()

    page.goto(first_link(last_email_to(LYCEE_EMAIL), contains="/etablissement-scolaire/inscription/confirmer/"))
    expect(page.get_by_role("heading", name="Activer le compte de l’établissement")).to_be_visible()
    axe()
    assert not Organisation.objects.filter(uai=LYCEE_UAI).exists()  # opening the link activates nothing
    page.get_by_role("button", name="Activer le compte de l’établissement").click()
    expect(page.get_by_text(re.compile("Le compte de .* est activé. Vous pouvez vous connecter."))).to_be_visible()
    axe()

    submit_login(page, LYCEE_EMAIL, PASSWORD)
    expect(page.get_by_role("banner")).to_contain_text("Sophie Lambert")
    axe()
    school = Organisation.objects.get(uai=LYCEE_UAI)
    assert school.is_school
    assert school.status == OrganisationStatus.ACTIVE
    assert Membership.objects.get(organisation=school).role == Role.REFERENT


def test_a_colleague_asks_access_through_the_masked_address_and_the_holder_grants_it(page: Page, axe):
    school = SchoolFactory(
        uai="0772228D",
        name="Lycée polyvalent Charles de Gaulle",
        postal_code="77230",
        city="Longperrier",
        department_code="77",
        profile__academy_code="24",
        profile__academy_name="Créteil",
        profile__official_email="ce.0772228d@ac-creteil.fr",
    )
    holder = UserFactory(email="ce.0772228d@ac-creteil.fr", first_name="Marc", last_name="Dumont")
    MembershipFactory(organisation=school, user=holder, role=Role.REFERENT)

    open_login(page, axe)
    page.get_by_role("link", name="Établissement scolaire : identifiant oublié ?").click()
    expect(page.get_by_role("heading", name=re.compile("identifiant de votre établissement"))).to_be_visible()
    axe()
    page.get_by_label("Code UAI (ou RNE) de l'établissement").fill("0772228D")
    page.get_by_role("button", name="Continuer").click()

    expect(page.get_by_role("heading", name=re.compile("Récupération d’identifiant pour Lycée"))).to_be_visible()
    expect(page.get_by_text("ce.....", exact=True)).to_be_visible()
    expect(page.get_by_text("ce.0772228d@ac-creteil.fr")).to_have_count(0)
    axe()
    page.get_by_label("Nom", exact=True).fill("Lefebvre")
    page.get_by_label("Prénom", exact=True).fill("Marie")
    page.get_by_label(re.compile("Fonction dans l'établissement")).fill("Professeure principale")
    page.get_by_label(re.compile("Votre adresse électronique académique")).fill("marie.lefebvre@gmail.com")
    wait_for_captcha(page)
    page.get_by_role("button", name="Valider la demande de création de compte").click()
    expect(page.get_by_text(re.compile("se terminant par @ac-creteil.fr"))).to_be_visible()
    expect(page.get_by_label("Nom", exact=True)).to_have_value("Lefebvre")
    axe()
    page.get_by_label(re.compile("Votre adresse électronique académique")).fill("marie.lefebvre@ac-creteil.fr")
    wait_for_captcha(page)
    page.get_by_role("button", name="Valider la demande de création de compte").click()
    expect(page.get_by_role("heading", name="Votre demande est envoyée")).to_be_visible()
    axe()

    # The holder opens the email's link: the login page first, then the request.
    link = first_link(last_email_to(holder.email), contains="/etablissement-scolaire/demandes-d-acces/")
    page.goto(link)
    expect(page.get_by_role("heading", name=re.compile("Connexion à"))).to_be_visible()
    axe()
    submit_login(page, holder.email)
    expect(page.get_by_role("heading", name=re.compile("Demande d’accès au compte de Lycée"))).to_be_visible()
    expect(page.get_by_text("marie.lefebvre@ac-creteil.fr")).to_be_visible()
    axe()
    page.get_by_role("button", name="Accorder l’accès").click()
    expect(page.get_by_text(re.compile("Accès accordé à Marie Lefebvre : un courriel l.en informe"))).to_be_visible()
    axe()
    log_out(page, axe)

    # The colleague chooses a password from the email and logs in with the academic address.
    email = last_email_to("marie.lefebvre@ac-creteil.fr")
    assert email.subject == (
        "Accès accordé au compte de Lycée polyvalent Charles de Gaulle : choisissez votre mot de passe"
    )
    page.goto(first_link(email, contains="/password/reset/key/"))
    axe()
    page.get_by_label("Nouveau mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label(re.compile("Confirmation")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Enregistrer")).click()
    expect(page.get_by_role("heading", name="Votre mot de passe a été modifié")).to_be_visible()
    axe()
    page.get_by_role("link", name="Se connecter").last.click()
    axe()
    submit_login(page, "marie.lefebvre@ac-creteil.fr", PASSWORD)
    # An account opened by a holder never accepted the CGU: the login asks for them first.
    expect(page.get_by_role("button", name="Accepter et continuer")).to_be_visible()
    axe()
    tick(page, "Je déclare avoir lu")
    page.get_by_role("button", name="Accepter et continuer").click()
    expect(page.get_by_role("banner")).to_contain_text("Marie Lefebvre")
    axe()
    open_my_structures(page, axe)
    row = page.get_by_role("row").filter(has_text="Lycée polyvalent Charles de Gaulle")
    expect(row.get_by_role("cell").nth(2)).to_have_text("Gestionnaire")
    membership = Membership.objects.get(organisation=school, user__email="marie.lefebvre@ac-creteil.fr")
    assert (membership.status, membership.role) == (MembershipStatus.ACTIVE, Role.MANAGER)
