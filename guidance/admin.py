"""The admin's registrations for guidance live with the rules console (guidance.console)."""

from .console import admin  # noqa: F401  (registers the ModelAdmins on import)
