from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import views
from .accounts import views as account_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    # Sign-in through the municipality's identity provider (apoc.accounts.signin): on to
    # the provider, and back (the redirect URI registered at the provider).
    path("login/kommune/", account_views.login_provider, name="login_provider"),
    path("login/oidc/<slug:slug>/callback/", account_views.login_callback, name="login_callback"),
    path("logout/", account_views.LogoutView.as_view(), name="logout"),
    # The one-time link an administrator sends (apoc.accounts.services.password_link_send).
    path(
        "adgangskode/<uidb64>/<token>/",
        account_views.PasswordSetView.as_view(),
        name="password_set",
    ),
    path(
        "adgangskode/valgt/",
        account_views.PasswordSetDoneView.as_view(),
        name="password_set_done",
    ),
    path("healthz", views.healthz, name="healthz"),
    path("", include("registrations.urls")),
]

handler500 = "apoc.views.server_error"
