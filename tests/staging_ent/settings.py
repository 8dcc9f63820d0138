"""Settings of the three sites (``STAGING_ENT_SITE``): only what a real deployment must set.

Beyond the framework's and the packages' defaults: the site's apps and URLs, its database, its
host, the CAS server's URL for the portal, and ``CAS_NEW_VERSION_HTML_WARNING = False`` (by
default django-cas-server asks pypi.org for its latest version on every login page it renders,
without a timeout; a staging ENT behind a firewall turns it off, and tests reach no other host).
"""

from __future__ import annotations

import os
from pathlib import Path

SITE = os.environ["STAGING_ENT_SITE"]  # cas | portal | forms
HERE = Path(__file__).resolve().parent

SECRET_KEY = os.environ.get("STAGING_ENT_SECRET_KEY", "staging-ent-tests-only")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "localhost"]
ROOT_URLCONF = "tests.staging_ent.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["STAGING_ENT_DB"]}
}

if SITE == "cas":
    INSTALLED_APPS += ["cas_server"]
    CAS_NEW_VERSION_HTML_WARNING = False
elif SITE == "portal":
    INSTALLED_APPS += ["django_cas_ng"]
    AUTHENTICATION_BACKENDS = ["django_cas_ng.backends.CASBackend"]
    CAS_SERVER_URL = os.environ["STAGING_ENT_CAS_URL"] + "/"
    CAS_VERSION = "3"
    LOGIN_URL = "cas_ng_login"
elif SITE == "forms":
    LOGIN_URL = "login"
    LOGIN_REDIRECT_URL = "/homework"
else:
    raise RuntimeError(f"STAGING_ENT_SITE must be cas, portal or forms, not {SITE!r}")
