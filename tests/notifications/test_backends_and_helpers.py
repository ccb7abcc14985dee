import pytest
from django.core.mail import EmailMessage, EmailMultiAlternatives, send_mail

from parcours.notifications.links import text_linkify, text_links
from parcours.notifications.models import DevOutboxMessage
from tests.helpers.outbox import first_link, last_email_to, links_in


@pytest.mark.django_db
def test_dev_backend_keeps_text_html_and_every_recipient():
    # Given a message with an HTML alternative and copies
    message = EmailMultiAlternatives(
        "Objet",
        "Texte",
        "Parcours <ne-pas-repondre@parcours.example.org>",
        ["Dupont, Camille <camille@example.org>"],
        cc=["copie@example.org"],
        bcc=["cachee@example.org"],
    )
    message.attach_alternative("<p>HTML</p>", "text/html")

    # When it is sent through the dev backend
    sent = message.send()

    # Then the outbox holds it whole
    assert sent == 1
    stored = DevOutboxMessage.objects.get()
    assert stored.recipients == ["Dupont, Camille <camille@example.org>", "copie@example.org", "cachee@example.org"]
    assert (stored.subject, stored.body_text, stored.body_html) == ("Objet", "Texte", "<p>HTML</p>")
    assert last_email_to("cachee@example.org") == stored
    assert last_email_to("camille@example.org") == stored


@pytest.mark.django_db
def test_dev_backend_stores_an_html_only_message_as_html():
    message = EmailMessage("Objet", "<p>Seulement HTML</p>", to=["camille@example.org"])
    message.content_subtype = "html"
    message.send()
    stored = DevOutboxMessage.objects.get()
    assert (stored.body_text, stored.body_html) == ("", "<p>Seulement HTML</p>")


@pytest.mark.django_db
def test_last_email_to_matches_whole_addresses_and_explains_a_miss():
    # Given an email to an address that contains another one
    send_mail("Objet", "Texte", None, ["anne.camille@example.org"])

    # Then a search for the shorter address fails with what the outbox holds
    with pytest.raises(AssertionError, match=r"No email to 'camille@example.org'.*anne\.camille@example\.org"):
        last_email_to("camille@example.org")


@pytest.mark.django_db
def test_last_email_to_says_when_the_outbox_is_empty():
    with pytest.raises(AssertionError, match="The outbox is empty"):
        last_email_to("camille@example.org")


@pytest.mark.django_db
def test_links_in_and_first_link_read_the_text_body():
    send_mail(
        "Objet",
        "Confirmez (http://testserver/confirmer/abc/). Ou annulez : https://testserver/annuler/abc/?a=1&b=2.\n",
        None,
        ["camille@example.org"],
    )
    message = last_email_to("camille@example.org")

    assert links_in(message) == ["http://testserver/confirmer/abc/", "https://testserver/annuler/abc/?a=1&b=2"]
    assert first_link(message) == "http://testserver/confirmer/abc/"
    assert first_link(message, contains="annuler") == "https://testserver/annuler/abc/?a=1&b=2"
    with pytest.raises(AssertionError, match="No link containing 'absent'"):
        first_link(message, contains="absent")


def test_text_linkify_escapes_then_links_only_http_urls():
    text = 'Voir <b>ceci</b> & "http://testserver/a?x=1&y=2" ou javascript:alert(1) http://x.test/<script>'

    html = text_linkify(text)

    assert html == (
        "Voir &lt;b&gt;ceci&lt;/b&gt; &amp; &quot;"
        '<a class="fr-link" href="http://testserver/a?x=1&amp;y=2">http://testserver/a?x=1&amp;y=2</a>'
        "&quot; ou javascript:alert(1) "
        '<a class="fr-link" href="http://x.test/">http://x.test/</a>&lt;script&gt;'
    )
    assert text_links(text) == ["http://testserver/a?x=1&y=2", "http://x.test/"]
