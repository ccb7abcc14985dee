import pytest


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run a service and deliver the emails it queued, as the worker would after the commit."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run
