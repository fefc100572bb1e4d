#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    """Run administrative tasks; a configuration mistake is said in one line, not a trace."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bonecare.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"BoneCare cannot start: {error}")


if __name__ == "__main__":
    main()
