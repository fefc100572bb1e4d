import pytest


@pytest.fixture(autouse=True)
def figures_in_the_output(capsys):
    """Let the fault tests' figures reach CI's output, not only a run with -s."""
    with capsys.disabled():
        yield
