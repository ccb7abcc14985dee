from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from parcours.notifications.services import email_send_rendered


class AccountAdapter(DefaultAccountAdapter):
    """allauth keeps login and password reset; sign-ups are ours, and its emails go through our outbox."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        with transaction.atomic():
            email_send_rendered(
                to=email,
                subject=message.subject,
                body_text=message.body,
                body_html=html,
                category=template_prefix.rsplit("/", 1)[-1],
            )
