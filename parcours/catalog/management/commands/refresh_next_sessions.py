"""The periodic job that keeps the catalog's "next session" right as registration deadlines go by."""

from django.core.management.base import BaseCommand

from parcours.catalog.search import next_sessions_refresh


class Command(BaseCommand):
    help = "Recalcule la prochaine session ouverte de chaque action (une date limite d'inscription passée)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"next sessions refreshed={next_sessions_refresh()}")
