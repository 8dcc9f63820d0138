"""The URLs of each site: the packages' own views, plus the consent token and one app page."""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def consent(request: HttpRequest) -> HttpResponse:
    """What entdrill's guard asks every target for before a flood."""
    return HttpResponse(os.environ["STAGING_ENT_CONSENT_TOKEN"], content_type="text/plain")


@login_required
def homework(request: HttpRequest) -> HttpResponse:
    """The page a logged-in pupil opens: the homework log, naming its reader."""
    name = request.user.get_username()
    return HttpResponse(f"<html><body><h1>Cahier de textes</h1><p>{name}</p></body></html>")


urlpatterns = [path(".well-known/entdrill-consent", consent)]
if settings.SITE == "cas":
    urlpatterns += [path("cas/", include("cas_server.urls", namespace="cas_server"))]
elif settings.SITE == "portal":
    import django_cas_ng.views

    urlpatterns += [
        path("accounts/login/", django_cas_ng.views.LoginView.as_view(), name="cas_ng_login"),
        path("accounts/logout/", django_cas_ng.views.LogoutView.as_view(), name="cas_ng_logout"),
        path("homework", homework),
    ]
else:
    urlpatterns += [
        path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
        path("homework", homework),
    ]
