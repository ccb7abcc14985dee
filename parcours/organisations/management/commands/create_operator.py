"""Create an operator (a region, an OPCO, an association) and invite its first gestionnaire."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from parcours.organisations.models import Organisation
from parcours.organisations.services.operators import operator_create, operator_staff_invite
from parcours.organisations.validators import department_clean, siret_clean


class Command(BaseCommand):
    help = (
        "Crée un opérateur et son premier gestionnaire (référent), puis affiche le lien où celui-ci choisit "
        "son mot de passe. Exemple : create_operator --name 'Région Île-de-France' --departments 75,77,78 "
        "--email gestion@region.example.org --first-name Anne --last-name Durand"
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="nom de l'opérateur")
        parser.add_argument(
            "--departments", required=True, help="territoire : codes de départements, séparés par des virgules"
        )
        parser.add_argument("--siret", default="", help="SIRET de l'opérateur (facultatif)")
        parser.add_argument("--email", required=True, help="adresse du premier gestionnaire")
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)

    def handle(self, *args, **options):
        try:
            departments = sorted(
                {department_clean(code) for code in options["departments"].split(",") if code.strip()}
            )
            siret = siret_clean(options["siret"]) if options["siret"].strip() else ""
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        if not departments:
            raise CommandError("Indiquez au moins un département du territoire.")
        name = options["name"].strip()
        with transaction.atomic():
            organisation = Organisation.objects.filter(is_operator=True, name=name).first()
            if organisation is None:
                if siret and Organisation.objects.filter(siret=siret).exists():
                    raise CommandError(f"Une organisation porte déjà le SIRET {siret}.")
                organisation = operator_create(name=name, departments=departments, siret=siret)
                self.stdout.write(f"Opérateur créé : {organisation.name} (départements {', '.join(departments)}).")
            else:
                self.stdout.write(f"Opérateur existant : {organisation.name}.")
            user, link = operator_staff_invite(
                organisation=organisation,
                email=options["email"],
                first_name=options["first_name"].strip(),
                last_name=options["last_name"].strip(),
            )
        self.stdout.write(f"Gestionnaire : {user.email}")
        self.stdout.write(f"Lien pour choisir son mot de passe (lui est aussi envoyé par courriel) : {link}")
