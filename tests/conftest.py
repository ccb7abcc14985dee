import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _dev_outbox(settings):
    """pytest-django swaps in the locmem backend: put back the outbox that the test helpers read."""
    settings.EMAIL_BACKEND = "parcours.notifications.backends.DevOutboxBackend"
