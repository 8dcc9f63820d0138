"""``python -m tests.staging_ent.serve SITE HOST PORT``: one site on waitress, until SIGTERM.

``seed`` first (``python -m tests.staging_ent.serve seed SITE USERS_CSV [SERVICE_REGEX]``):
creates the site's tables with Django's own migrations, its users from the population file
(Django's own password hashing, with its default cost) and, on the CAS server, the service
pattern its admin would register for the portal.
"""

from __future__ import annotations

import csv
import os
import sys


def _django(site: str) -> None:
    os.environ["STAGING_ENT_SITE"] = site
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.staging_ent.settings")
    import django

    django.setup()


def seed(site: str, users_csv: str, service_regex: str = "") -> None:
    _django(site)
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    with open(users_csv, newline="") as handle:
        for row in csv.DictReader(handle):
            User.objects.create_user(row["username"], password=row["password"])
    if site == "cas" and service_regex:
        from cas_server.models import ServicePattern

        ServicePattern.objects.create(pos=100, name="portal", pattern=service_regex)


def serve(site: str, host: str, port: int) -> None:
    _django(site)
    from django.core.wsgi import get_wsgi_application
    from waitress import serve as waitress_serve

    waitress_serve(get_wsgi_application(), host=host, port=port, threads=8, _quiet=True)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(*sys.argv[2:])
    else:
        serve(sys.argv[1], sys.argv[2], int(sys.argv[3]))
