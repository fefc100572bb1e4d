import pytest


@pytest.fixture
def say(capsys):
    """Return print() for figures that reach the run's output, not only a run with -s."""

    def say_(*args, **kwargs):
        with capsys.disabled():
            print(*args, **kwargs)

    return say_
