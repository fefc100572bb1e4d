"""Django set up for an in-process benchmark, on a throwaway database of its own."""

import contextlib
import os


@contextlib.contextmanager
def throwaway_database():
    """Set Django up and yield inside a fresh test database, destroyed afterwards.

    The database is the configured one's test twin (DATABASE_URL, or the SQLite default), as
    the test suite makes it, so a benchmark never touches the data it is configured with.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bonecare.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
