#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dongnam.settings")
    # manage.py is the developer's tool: it defaults to development settings. Servers (gunicorn via
    # dongnam/wsgi.py, Celery) default to production, and production hosts set DONGNAM_ENV=production.
    os.environ.setdefault("DONGNAM_ENV", "development")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
