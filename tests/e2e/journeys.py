"""What every browser journey does the same way: log in and out through the pages, open the menus, type a
TOTP code."""

import re
import time
from datetime import UTC, datetime

import pyotp
from playwright.sync_api import Page, expect

from tests.accounts.factories import DEFAULT_PASSWORD


def fresh_code(clock, secret: str) -> str:
    """What the phone shows at the start of the next 30-second window: a code not used yet, valid long
    enough to be typed (allauth accepts the current window only, and each code once)."""
    clock.move_to(datetime.fromtimestamp((time.time() // 30 + 1) * 30 + 0.5, tz=UTC), tick=True)
    return pyotp.TOTP(secret).now()


def open_login(page: Page, axe) -> None:
    page.goto(page.live_server_url)
    axe()
    page.get_by_role("link", name="Se connecter").first.click()
    expect(page.get_by_role("heading", name=re.compile("Connexion à"))).to_be_visible()
    axe()


def submit_login(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.get_by_label(re.compile("Adresse électronique")).first.fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(password)
    page.get_by_role("button", name="Se connecter").click()


def log_in(page: Page, axe, user) -> None:
    """From the home page, through the login page, until the header names the person."""
    open_login(page, axe)
    submit_login(page, user.email)
    expect(page.get_by_role("banner")).to_contain_text(user.get_full_name())
    axe()


def log_out(page: Page, axe) -> None:
    page.get_by_role("banner").get_by_role("button", name="Se déconnecter").first.click()
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
    axe()


def navigation(page: Page):
    return page.get_by_role("navigation", name="Menu principal")


def open_dashboard(page: Page, label: str) -> None:
    """A dashboard of the "Mes tableaux de bord" menu (or the item itself when the person has only one)."""
    menu = navigation(page).get_by_role("button", name="Mes tableaux de bord")
    if menu.count():
        menu.click()
    navigation(page).get_by_role("link", name=label).click()


def field(page: Page, label: str):
    """The text field whose label starts with `label` (help texts repeat words of other labels)."""
    return page.get_by_role("textbox", name=re.compile("^" + re.escape(label)))
