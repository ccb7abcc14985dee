"""Runs the periodic jobs (idempotent management commands) beside the server under `make run`.

In production, cron or a systemd timer calls the same commands; this loop is for one machine.
"""

import signal
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Exécute les tâches périodiques (PARCOURS_PERIODIC_JOBS) jusqu'à l'arrêt du processus."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Exécute chaque tâche une fois puis s'arrête.")

    def handle(self, *args, once: bool = False, **options) -> None:
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            self._loop(once=once, stopping=lambda: stopping)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _loop(self, *, once: bool, stopping) -> None:
        next_run = dict.fromkeys(settings.PARCOURS_PERIODIC_JOBS, 0.0)
        while not stopping():
            for command, every in settings.PARCOURS_PERIODIC_JOBS.items():
                if time.monotonic() < next_run[command]:
                    continue
                next_run[command] = time.monotonic() + every
                try:
                    call_command(command, stdout=self.stdout, stderr=self.stderr)
                except Exception as error:  # one failing job must not stop the others
                    self.stderr.write(f"job={command} status=error error={error.__class__.__name__}: {error}")
            if once:
                return
            time.sleep(1)
