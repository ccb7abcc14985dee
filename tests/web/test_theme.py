"""The theme is one replaceable folder: app templates carry no design-system markup."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template

BASE_DIR = Path(settings.BASE_DIR)
APP_TEMPLATE_DIRS = [BASE_DIR / "templates" / name for name in ("web", "account", "allauth")]
# What a theme provides (themes/README.md).
THEME_TEMPLATES = [
    "base.html",
    "theme/alert.html",
    "theme/breadcrumb.html",
    "theme/button.html",
    "theme/cards.html",
    "theme/form.html",
    "theme/tiles.html",
    "theme/pagination.html",
    "theme/forms/non_field_errors.html",
    "django/forms/field.html",
    "django/forms/div.html",
]


def app_templates():
    for directory in APP_TEMPLATE_DIRS:
        yield from sorted(directory.rglob("*.html"))


@pytest.mark.parametrize("path", list(app_templates()), ids=lambda path: str(path.relative_to(BASE_DIR)))
def test_app_templates_use_no_design_system_markup(path):
    text = path.read_text()

    assert not re.search(r"""class="[^"]*\bfr-""", text), "DSFR classes belong in themes/dsfr/"
    assert "dsfr" not in text.lower()


@pytest.mark.parametrize("name", THEME_TEMPLATES)
def test_the_default_theme_provides_every_theme_template(name):
    origin = Path(get_template(name).origin.name)

    assert origin.is_relative_to(settings.PARCOURS_THEME_DIR / "templates")


def test_another_theme_replaces_the_layout(client, settings, tmp_path):
    theme = tmp_path / "templates"
    (theme / "theme" / "forms").mkdir(parents=True)
    (theme / "django" / "forms").mkdir(parents=True)
    (theme / "base.html").write_text(
        "<!DOCTYPE html><html lang='fr'><title>{% block title %}{% endblock %} | {{ service_name }}</title>"
        "<body><nav>{% for item in navigation %}<a href='{{ item.url }}'>{{ item.label }}</a>{% endfor %}</nav>"
        "<main>{% block breadcrumb %}{% endblock %}{% block content %}{% endblock %}</main></body></html>"
    )
    for name in THEME_TEMPLATES[1:]:
        (theme / name).write_text("<div class='other-theme'>{{ label }}{{ current }}</div>")
    (theme / "django/forms/div.html").write_text("{% for field, errors in fields %}{{ field }}{% endfor %}")
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [theme, BASE_DIR / "templates"]
    settings.TEMPLATES = templates

    home = client.get("/").content.decode()
    legal = client.get("/mentions-legales/").content.decode()

    assert "<title>Accueil | Parcours</title>" in home
    assert "<a href='/'>Accueil</a>" in home
    assert "fr-header" not in home
    assert "<div class='other-theme'>Mentions légales</div>" in legal
