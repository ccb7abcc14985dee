import pytest
from django.urls import reverse

from parcours.notifications.models import DevOutboxMessage


def _message(**overrides) -> DevOutboxMessage:
    fields = {
        "from_email": "Parcours <ne-pas-repondre@parcours.example.org>",
        "to": "camille@example.org",
        "subject": "Confirmez votre adresse",
        "body_text": "Bonjour <Camille>,\nConfirmez : http://testserver/compte/confirmer/abc/?x=1&y=2\n",
        "body_html": '<p style="color:#000091">Bonjour <strong>Camille</strong></p>',
    }
    return DevOutboxMessage.objects.create(**{**fields, **overrides})


def _urls(message: DevOutboxMessage) -> list[str]:
    return [
        reverse("notifications:outbox_list"),
        reverse("notifications:outbox_detail", args=[message.public_id]),
        reverse("notifications:outbox_html", args=[message.public_id]),
    ]


@pytest.mark.django_db
def test_outbox_pages_do_not_exist_when_the_outbox_is_off(client, settings):
    # Given an outbox turned off, as in production
    settings.PARCOURS_DEV_OUTBOX = False
    message = _message()

    # Then every page is a 404
    for url in _urls(message):
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_outbox_pages_need_no_login(client):
    # Given an anonymous visitor and a message
    message = _message()

    # Then every page answers
    for url in _urls(message):
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_outbox_list_shows_newest_first_in_pages_with_a_bounded_query_count(client, django_assert_max_num_queries):
    # Given more messages than a page holds
    for number in range(55):
        _message(subject=f"Message {number:02d}", to=f"personne{number}@example.org")

    # When the list is shown
    with django_assert_max_num_queries(4):
        response = client.get(reverse("notifications:outbox_list"))

    # Then it starts with the newest message and links to each one
    content = response.content.decode()
    assert "<h1>Boîte d'envoi de développement</h1>" in content
    assert content.index("Message 54") < content.index("Message 53")
    assert "Message 04" not in content
    newest = DevOutboxMessage.objects.get(subject="Message 54")
    assert reverse("notifications:outbox_detail", args=[newest.public_id]) in content
    assert "personne54@example.org" in content
    assert "Page 1 sur 2" in content

    second_page = client.get(reverse("notifications:outbox_list"), {"page": 2}).content.decode()
    assert "Message 04" in second_page
    assert "Message 05" not in second_page


@pytest.mark.django_db
def test_outbox_detail_escapes_the_text_and_makes_its_links_clickable(client):
    message = _message()

    response = client.get(reverse("notifications:outbox_detail", args=[message.public_id]))

    content = response.content.decode()
    assert "<h1>Confirmez votre adresse</h1>" in content
    assert "Bonjour &lt;Camille&gt;," in content
    assert "<Camille>" not in content
    assert (
        '<a class="fr-link" href="http://testserver/compte/confirmer/abc/?x=1&amp;y=2">'
        "http://testserver/compte/confirmer/abc/?x=1&amp;y=2</a>"
    ) in content
    html_url = reverse("notifications:outbox_html", args=[message.public_id])
    assert f'<iframe src="{html_url}"' in content
    assert 'title="Version HTML du courriel « Confirmez votre adresse »"' in content
    # The email's own markup is only served by the framed URL.
    assert "<strong>Camille</strong>" not in content


@pytest.mark.django_db
def test_outbox_html_is_served_raw_to_a_same_origin_frame_with_styles_and_no_script(client):
    message = _message()

    response = client.get(reverse("notifications:outbox_html", args=[message.public_id]))

    assert response.content.decode() == message.body_html
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    directives = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == "'unsafe-inline'"
    assert directives["frame-ancestors"] == "'self'"
    assert "script-src" not in directives
    assert "nonce" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_outbox_detail_without_html_has_no_frame(client):
    message = _message(body_html="")

    content = client.get(reverse("notifications:outbox_detail", args=[message.public_id])).content.decode()

    assert "<iframe" not in content
    assert "Ce courriel n'a pas de version HTML." in content
    assert client.get(reverse("notifications:outbox_html", args=[message.public_id])).status_code == 404


@pytest.mark.django_db
def test_outbox_detail_of_an_unknown_message_is_a_404(client):
    response = client.get(reverse("notifications:outbox_detail", args=["0b1f7a52-3f0c-4c4e-9a55-6a0e5f0e2b4c"]))

    assert response.status_code == 404
