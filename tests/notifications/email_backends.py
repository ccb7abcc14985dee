"""Email backends that the delivery tests plug in through settings.EMAIL_BACKEND."""

from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError(111, "Connexion refusée par le serveur de test")


class AcceptsNothingBackend(BaseEmailBackend):
    """A backend that reports no message sent without raising."""

    def send_messages(self, email_messages):
        return 0


class HookBackend(BaseEmailBackend):
    """Runs `during_send` while a message is being sent, to act as a second worker at that moment."""

    during_send = None
    sent: list = []

    def send_messages(self, email_messages):
        if HookBackend.during_send is not None:
            HookBackend.during_send()
        HookBackend.sent.extend(email_messages)
        return len(email_messages)
