"""A staging ENT written elsewhere, for the staging-ENT tests: three small Django sites.

* ``cas``: a CAS 3.0 server, ``django-cas-server`` with its own defaults (users in Django's
  auth tables, the portal registered as a service pattern, as its admin would);
* ``portal``: a portal whose pages need a login, validating service tickets with the CAS client
  ``django-cas-ng`` (``/accounts/login/?next=...`` is the service URL it registers);
* ``forms``: an app with its own login form, Django's ``LoginView`` (no CAS at all).

Each runs in its own process on waitress (multithreaded), on its own loopback address so the
browsers' cookies of one never reach another. Only ``/.well-known/entdrill-consent``, the app
page and the login template are written here; every login, ticket and session is the work of the
packages themselves. :mod:`tests.staging_ent.sites` starts and stops them.
"""
