"""Production settings, headers, sessions, passwords and the login lock."""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation

import apoc.middleware
from apoc.accounts.login import delay_after
from apoc.audit.models import Action, AuditEntry
from apoc.audit.services import client_ip
from tests.factories import (
    CaseworkerFactory,
    JobcentreFactory,
    NationalAdminFactory,
    RegistrationFactory,
    SupervisorFactory,
    UserFactory,
)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "korrekt-hest-batteri-klips"  # tests.factories.UserFactory's


def production_env(**extra: str) -> dict[str, str]:
    """The environment `make serve` needs, and nothing from this test run's settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "APOC_")) and k not in ("CPR_REGISTRY", "JOBNET_ACCOUNTS")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="apoc.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="apoc.example.kommune.dk",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://apoc.example.kommune.dk",
        DATABASE_URL="postgres://apoc@127.0.0.1:5432/apoc",  # never connected to here
        # The only registry there is, LocalRegistry, is for training (cpr.E001).
        APOC_TRAINING="true",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# --- Production settings ----------------------------------------------------------------------


def test_deploy_check_with_production_settings_prints_no_warnings(tmp_path):
    result = run_manage("check", "--deploy", env=production_env(APOC_VAR_DIR=str(tmp_path)))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNINGS:" not in output, output
    assert "security.W" not in output, output


def test_make_serve_refuses_the_local_registry_without_training_mode(tmp_path):
    env = production_env(APOC_VAR_DIR=str(tmp_path))
    del env["APOC_TRAINING"]
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "(cpr.E001) CPR_REGISTRY is cpr.registry.LocalRegistry" in output, output
    assert "would not be real" in output and "APOC_TRAINING=1" in output, output


def test_production_takes_jobnet_logins_from_the_case_system_unless_told_otherwise(tmp_path):
    env = production_env(APOC_VAR_DIR=str(tmp_path))
    del env["APOC_TRAINING"]
    default = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert "jobnet.E" not in default.stdout + default.stderr  # only cpr.E001 stops it
    env["JOBNET_ACCOUNTS"] = "jobnet.accounts.LocalAccounts"
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "(jobnet.E001) JOBNET_ACCOUNTS is jobnet.accounts.LocalAccounts" in output, output
    assert "set JOBNET_ACCOUNTS to jobnet.accounts.CaseSystemAccounts" in output, output


@pytest.mark.parametrize("name", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without(name, tmp_path):
    env = production_env(APOC_VAR_DIR=str(tmp_path))
    del env[name]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert name in result.stderr


_SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "X_FRAME_OPTIONS",
    "SECURE_REDIRECT_EXEMPT",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "AXES_ENABLED",
    "AXES_FAILURE_LIMIT",
    "AXES_LOCKOUT_PARAMETERS",
    "AXES_HANDLER",
    "LOGIN_ADDRESS_FAILURE_LIMIT",
    "STORAGES",
]


@pytest.fixture(scope="module")
def production_values(tmp_path_factory):
    """The security settings as apoc.settings.production has them, read in a subprocess."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{k: getattr(settings, k) for k in {_SECURITY_SETTINGS!r}}}))"
    )
    env = production_env(APOC_VAR_DIR=str(tmp_path_factory.mktemp("var")))
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def production(settings, production_values):
    """This process's settings with production's security settings (not its static storage)."""
    for name, value in production_values.items():
        if name in ("STORAGES", "AXES_ENABLED"):
            continue
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    settings.ALLOWED_HOSTS = ["apoc.example.kommune.dk"]
    return settings


def test_production_settings_are_hardened(production_values):
    v = production_values
    assert v["DEBUG"] is False
    assert v["SECURE_SSL_REDIRECT"] is True
    assert v["SECURE_HSTS_SECONDS"] >= 31536000
    assert v["SESSION_COOKIE_SECURE"] and v["CSRF_COOKIE_SECURE"]
    assert v["SESSION_COOKIE_HTTPONLY"] and v["CSRF_COOKIE_HTTPONLY"]
    assert v["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert v["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert v["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert v["SESSION_COOKIE_AGE"] == 30 * 60
    assert v["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
    assert v["X_FRAME_OPTIONS"] == "DENY"
    assert v["AXES_ENABLED"] is True
    assert v["AXES_FAILURE_LIMIT"] == 5
    assert v["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert v["AXES_HANDLER"] == "apoc.accounts.login.LoginDelayHandler"
    assert v["LOGIN_ADDRESS_FAILURE_LIMIT"] == 50
    assert v["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https(production):
    response = Client(HTTP_HOST="apoc.example.kommune.dk").get("/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://apoc.example.kommune.dk/login/"


def test_the_health_check_answers_over_plain_http(production):
    assert Client(HTTP_HOST="apoc.example.kommune.dk").get("/healthz").status_code == 200


@pytest.mark.django_db
def test_https_responses_carry_the_security_headers(production):
    client = Client(HTTP_HOST="apoc.example.kommune.dk", HTTP_X_FORWARDED_PROTO="https")
    response = client.get("/login/")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == ("max-age=31536000; includeSubDomains; preload")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_login_cookies_are_secure_httponly_samesite_and_end_with_the_browser(production):
    UserFactory(username="anna")
    client = Client(HTTP_HOST="apoc.example.kommune.dk", HTTP_X_FORWARDED_PROTO="https")
    client.get("/login/")
    csrf = client.cookies[django_settings.CSRF_COOKIE_NAME]
    response = client.post(
        "/login/",
        {"username": "anna", "password": PASSWORD, "csrfmiddlewaretoken": csrf.value},
        HTTP_ORIGIN="https://apoc.example.kommune.dk",
    )
    assert response.status_code == 302
    session = response.cookies[django_settings.SESSION_COOKIE_NAME]
    for cookie in (session, client.cookies[django_settings.CSRF_COOKIE_NAME]):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert not cookie["domain"]
    # A session cookie: no expiry, so the browser drops it when it closes.
    assert not session["expires"]
    assert not session["max-age"]


# --- Static files -----------------------------------------------------------------------------


def test_collectstatic_with_the_production_storage_succeeds(tmp_path):
    """The manifest storage rejects a stylesheet pointing at a missing file (e.g. a source map)."""
    result = run_manage(
        "collectstatic", "--noinput", env=production_env(APOC_VAR_DIR=str(tmp_path))
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles" / "staticfiles.json").read_text())
    paths = manifest["paths"]
    for name in ("vendor/bootstrap/bootstrap.min.css", "apoc.css", "admin/css/base.css"):
        assert name in paths
        assert (tmp_path / "staticfiles" / (paths[name] + ".gz")).exists()


# --- Content-Security-Policy and the pages under it ---------------------------------------


class _InlineFinder(HTMLParser):
    """Finds what a CSP without 'unsafe-inline' would block, and non-local assets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.assets: list[str] = []
        self.forms: list[dict] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            self._check_attribute(tag, name, value)
        self._check_element(tag, attributes)
        self._note_form(tag, attributes)

    def _check_attribute(self, tag: str, name: str, value: str | None) -> None:
        """Inline styles, event handlers and ``javascript:`` URLs."""
        if name == "style":
            self.problems.append(f'<{tag} style="{value}">')
        if name.startswith("on"):
            self.problems.append(f"<{tag} {name}=...>")
        if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
            "javascript:"
        ):
            self.problems.append(f"<{tag} {name}=javascript:...>")

    def _check_element(self, tag: str, attributes: dict[str, str | None]) -> None:
        """Inline ``<style>`` and ``<script>`` elements; the assets scripts and stylesheets load."""
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if not attributes.get("src"):
                self.problems.append("<script> without src")
            else:
                self.assets.append(attributes["src"])
        if tag == "link" and "stylesheet" in (attributes.get("rel") or ""):
            self.assets.append(attributes.get("href") or "")

    def _note_form(self, tag: str, attributes: dict[str, str | None]) -> None:
        """Forms, with their method and how many CSRF tokens they hold."""
        if tag == "form":
            self.forms.append({"method": (attributes.get("method") or "get").lower(), "csrf": 0})
        if tag == "input" and attributes.get("name") == "csrfmiddlewaretoken" and self.forms:
            self.forms[-1]["csrf"] += 1


def inline_problems(html: str) -> _InlineFinder:
    finder = _InlineFinder()
    finder.feed(html)
    return finder


def assert_page_is_csp_clean(path: str, response) -> None:
    assert response.status_code == 200, (path, response.status_code)
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    found = inline_problems(response.content.decode())
    assert not found.problems, (path, found.problems)
    for asset in found.assets:  # served from 'self': a path on this host
        assert asset.startswith("/") and not asset.startswith("//"), (path, asset)
    for form in found.forms:
        if form["method"] == "post":
            assert form["csrf"] == 1, (path, "a POST form without a CSRF token")


def test_policy_has_no_unsafe_sources_and_locks_down_framing(production_values):
    for policy in (
        django_settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
        production_values["CONTENT_SECURITY_POLICY"]["DIRECTIVES"],
    ):
        values = " ".join(" ".join(sources) for sources in policy.values())
        assert "unsafe" not in values
        assert policy["script-src"] == ["'self'"]
        assert policy["style-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["default-src"] == ["'self'"]


#: The policy APOC sent before django-csp took over, word for word: the same for every page.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)


def _directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_django_csp_sends_the_same_policy_as_before(client):
    assert "csp.middleware.CSPMiddleware" in django_settings.MIDDLEWARE
    assert "apoc.middleware.ContentSecurityPolicyMiddleware" not in django_settings.MIDDLEWARE
    response = client.get("/login/")
    assert _directives(response["Content-Security-Policy"]) == _directives(POLICY)
    assert "Content-Security-Policy-Report-Only" not in response


# --- Permissions-Policy ------------------------------------------------------------------------

#: Features a jobcentre's counter has no use for; each must be denied to every origin.
DENIED_FEATURES = {
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "hid",
    "bluetooth",
    "midi",
    "display-capture",
    "publickey-credentials-get",
}


def _permissions(header: str) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in header.split(","))


@pytest.mark.django_db
def test_every_response_denies_the_browser_features_apoc_does_not_use(client):
    registration = RegistrationFactory()
    paths = ["/healthz", "/login/", "/admin/login/", "/does-not-exist/"]
    for path in paths:
        features = _permissions(client.get(path)["Permissions-Policy"])
        assert set(features) >= DENIED_FEATURES, path
        assert all(value == "()" for value in features.values()), (path, features)
    client.force_login(CaseworkerFactory(jobcentre=registration.jobcentre))
    for path in (
        reverse("registrations:home"),
        reverse("registrations:detail", args=[registration.pk]),
        reverse("registrations:letter", args=[registration.pk]),
    ):
        assert "camera=()" in client.get(path)["Permissions-Policy"], path
    pdf = client.post(reverse("registrations:letter", args=[registration.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "camera=()" in pdf["Permissions-Policy"]


def test_no_page_or_script_of_apoc_uses_a_denied_feature():
    """What the header denies is what no template or static file of APOC asks for."""
    apis = (
        "getUserMedia",
        "geolocation",
        "PaymentRequest",
        "navigator.usb",
        "navigator.serial",
        "navigator.hid",
        "navigator.bluetooth",
        "requestMIDIAccess",
        "getDisplayMedia",
        "navigator.credentials",
    )
    files = [p for d in _template_dirs() for p in d.rglob("*.html")]
    files += [p for p in (ROOT / "static").rglob("*") if p.suffix in (".js", ".html")]
    for path in files:
        text = path.read_text(errors="replace")
        for api in apis:
            assert api not in text, (str(path.relative_to(ROOT)), api)


# --- NUL bytes ---------------------------------------------------------------------------------


@pytest.fixture
def nul_probe(client, caplog):
    caplog.set_level(logging.INFO)
    registration = RegistrationFactory()
    client.force_login(SupervisorFactory(jobcentre=registration.jobcentre))
    return SimpleNamespace(client=client, registration=registration, caplog=caplog)


def _refused_quietly(response, caplog) -> None:
    assert response.status_code == 400, response.status_code
    assert "ugyldigt tegn (NUL)" in response.content.decode()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert any("NUL byte" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "review_status=%00",
        "nationality=%00",
        "review_status__exact=%00",
        "q=%00",
        "q=Nowak%00",
        "%00=1",
        "e=1&category__exact=A%00B",
    ],
)
def test_a_nul_byte_in_the_admin_query_string_is_a_400(nul_probe, query):
    changelist = reverse("admin:registrations_registration_changelist")
    response = nul_probe.client.get(f"{changelist}?{query}")
    _refused_quietly(response, nul_probe.caplog)
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_a_nul_byte_is_a_400_on_every_kind_of_view(nul_probe):
    client, registration = nul_probe.client, nul_probe.registration
    detail = reverse("registrations:detail", args=[registration.pk])
    requests = [
        lambda: client.get(reverse("registrations:home") + "?x=%00"),
        lambda: client.get(detail + "?a=b%00c"),
        lambda: client.get(reverse("admin:audit_auditentry_changelist") + "?q=%00"),
        lambda: client.get(reverse("registrations:search") + "?s=%00"),
        lambda: client.post(reverse("registrations:search"), {"q": "0101\x00901234"}),
        lambda: client.post(
            reverse("registrations:offer_add", args=[registration.pk]),
            {"kind": "danish", "provider": "Sprog\x00skolen", "starts_on": "2030-01-01"},
        ),
        lambda: client.post(
            reverse("registrations:intake"),
            {"surname": "Nowak\x00", "document_file": png_with_nul_bytes()},
        ),
        lambda: client.post(
            reverse("login"),
            "username=anna%00&password=x",
            content_type="application/x-www-form-urlencoded",
        ),
    ]
    for make in requests:
        nul_probe.caplog.clear()
        _refused_quietly(make(), nul_probe.caplog)
    assert not registration.offers.exists()
    assert not AuditEntry.objects.exists()


def png_with_nul_bytes():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("pas.png", b"\x89PNG\x00\x00", content_type="image/png")


@pytest.mark.django_db
def test_nul_bytes_in_an_uploaded_file_are_not_a_reason_to_refuse(nul_probe):
    """Only fields are read: an image is full of NUL bytes."""
    response = nul_probe.client.post(
        reverse("registrations:intake"), {"document_file": png_with_nul_bytes()}
    )
    assert response.status_code == 400  # the form with its errors
    assert "ugyldigt tegn (NUL)" not in response.content.decode()
    assert response.context["form"].errors


def _template_dirs() -> list[Path]:
    dirs = [Path(d) for d in django_settings.TEMPLATES[0]["DIRS"]]
    for app in ("apoc", "cpr", "jobnet", "registrations"):
        dirs += [p for p in (ROOT / app).rglob("templates") if p.is_dir()]
    return dirs


def test_our_templates_have_no_inline_script_style_or_handlers():
    checked = 0
    for folder in _template_dirs():
        for template in folder.rglob("*.html"):
            found = inline_problems(template.read_text())
            assert not found.problems, (str(template.relative_to(ROOT)), found.problems)
            checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_our_pages_render_under_the_policy(client):
    registration = RegistrationFactory()
    caseworker = CaseworkerFactory(jobcentre=registration.jobcentre)
    assert_page_is_csp_clean("/login/", client.get("/login/"))
    client.force_login(caseworker)
    pages = [
        reverse("registrations:home"),
        reverse("registrations:intake"),
        reverse("registrations:search"),
        reverse("registrations:detail", args=[registration.pk]),
        reverse("registrations:letter", args=[registration.pk]),
    ]
    for path in pages:
        assert_page_is_csp_clean(path, client.get(path))
    response = client.post(reverse("registrations:intake"), {})  # with its errors
    assert response.status_code == 400
    response.status_code = 200
    assert_page_is_csp_clean("intake with errors", response)


@pytest.mark.django_db
def test_admin_pages_render_under_the_policy(client):
    """Every registered model's changelist, add and change page, as an administrator."""
    from django.contrib import admin

    registration = RegistrationFactory()
    user = NationalAdminFactory(is_superuser=True)
    client.force_login(user)
    assert_page_is_csp_clean("admin index", client.get(reverse("admin:index")))
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert_page_is_csp_clean(changelist, client.get(changelist))
        if model_admin.has_add_permission(_request_for(user)):
            add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            assert_page_is_csp_clean(add, client.get(add))
        obj = model._default_manager.first()
        if obj is None and model is type(registration):
            obj = registration
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert_page_is_csp_clean(change, client.get(change))


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_every_response_carries_the_policy(client):
    for path in ("/healthz", "/login/", "/admin/login/", "/does-not-exist/"):
        response = client.get(path)
        assert _directives(response["Content-Security-Policy"]) == _directives(POLICY), path


# --- CSRF ------------------------------------------------------------------------------------


def _all_patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _all_patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def test_no_view_is_exempt_from_csrf():
    exempt = [route for route, p in _all_patterns() if getattr(p.callback, "csrf_exempt", False)]
    assert exempt == []


@pytest.mark.django_db
def test_posts_without_the_csrf_token_are_refused():
    registration = RegistrationFactory()
    caseworker = CaseworkerFactory(jobcentre=registration.jobcentre)
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker)
    for path in (
        reverse("logout"),
        reverse("set_language"),
        reverse("registrations:intake"),
        reverse("registrations:offer_add", args=[registration.pk]),
        reverse("registrations:letter", args=[registration.pk]),
    ):
        assert client.post(path, {}).status_code == 403, path
    assert not registration.jobnet_account_id
    assert client.get(reverse("registrations:home")).status_code == 200  # still logged in


# --- Sessions ---------------------------------------------------------------------------------


class Clock:
    """Moves Django's and the idle-timeout middleware's clocks together."""

    def __init__(self, monkeypatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)
        monkeypatch.setattr(apoc.middleware, "time", SimpleNamespace(time=self.timestamp))

    def timestamp(self) -> float:
        return self.now.timestamp()

    def advance(self, minutes: float) -> None:
        self.now += timedelta(minutes=minutes)


@pytest.mark.django_db
def test_an_idle_session_expires_after_30_minutes_and_activity_keeps_it(client, monkeypatch):
    clock = Clock(monkeypatch)
    client.force_login(CaseworkerFactory())
    home = reverse("registrations:home")
    assert client.get(home).status_code == 200
    for _ in range(3):  # busy for 87 minutes, a request every 29
        clock.advance(29)
        assert client.get(home).status_code == 200
    clock.advance(31)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _session_writes(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(
        1
        for q in queries.captured_queries
        if "django_session" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    )


@pytest.mark.django_db
def test_the_session_is_saved_at_most_once_a_minute(client, monkeypatch):
    clock = Clock(monkeypatch)
    client.force_login(CaseworkerFactory())
    page = reverse("registrations:search")
    assert _session_writes(client, page) == 1  # renewed
    clock.advance(0.5)
    assert _session_writes(client, page) == 0
    clock.advance(0.6)
    assert _session_writes(client, page) == 1


@pytest.mark.django_db
def test_session_cookie_ends_with_the_browser(client):
    client.force_login(CaseworkerFactory())
    response = client.get(reverse("registrations:home"))
    cookie = response.cookies.get(django_settings.SESSION_COOKIE_NAME) or client.cookies.get(
        django_settings.SESSION_COOKIE_NAME
    )
    assert cookie is not None
    assert not cookie["expires"] and not cookie["max-age"]
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


@pytest.mark.django_db
def test_sign_out_needs_a_post(client):
    client.force_login(CaseworkerFactory())
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("registrations:home")).status_code == 200  # still signed in
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("registrations:home")).status_code == 302  # signed out


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    ["kort-ord-1", "Elleve-tegn", "123456789012345", "password1234", "anna.jensen.1"],
)
def test_weak_staff_passwords_are_refused(password):
    user = UserFactory.build(username="anna.jensen", first_name="Anna", last_name="Jensen")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",  # the probe's: one letter repeated
        "Sommer2026!!",  # the probe's: a Danish season, a year, punctuation
        "Vinter2025!!",
        "Efterår2024#",
        "Efteraar2024#",  # the same without å
        "S0mmer2026!!",  # l33t
        "2026Sommer!!",
        "remmos2026!!",  # reversed
        "Januar2026!!",
        "Jobcenter2026!",
        "abcdefghijkl",  # a sequence
        "123456789012x",
        "qwertyuiopåæ",  # a keyboard row
        "Password2026!",
        "abcabcabcabc",
    ],
)
def test_guessable_passwords_are_refused_with_a_danish_reason(password):
    with translation.override("da"), pytest.raises(ValidationError) as err:
        validate_password(password)
    guessable = [e for e in err.value.error_list if e.code == "password_too_guessable"]
    assert guessable, [e.code for e in err.value.error_list]
    assert guessable[0].message.startswith("Adgangskoden er for let at gætte.")


@pytest.mark.django_db
def test_the_users_own_names_and_jobcentre_count_as_guessable():
    user = UserFactory.build(
        username="bsk",
        first_name="Birthe",
        last_name="Skovgaard",
        email="bmo@aarhus.dk",
        jobcentre=JobcentreFactory.build(municipality="Aarhus", name="Jobcenter Aarhus"),
    )
    validate_password("BirtheSkovgaard1967", None)  # strong enough for somebody else
    with pytest.raises(ValidationError) as err:
        validate_password("BirtheSkovgaard1967", user)
    assert any(e.code == "password_too_guessable" for e in err.value.error_list)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "password", ["korrekt-hest-batteri-klips", "Tolv-tegn-ok", "Kaffekop-Gul7", "fire grønne heste"]
)
def test_passwords_that_are_hard_to_guess_are_accepted(password):
    validate_password(password)


def test_the_estimator_is_configured_with_the_strictest_score():
    validators = {v["NAME"]: v.get("OPTIONS", {}) for v in django_settings.AUTH_PASSWORD_VALIDATORS}
    assert validators["apoc.accounts.passwords.GuessableValidator"] == {"min_score": 4}
    assert "django.contrib.auth.password_validation.CommonPasswordValidator" in validators


@pytest.mark.django_db
def test_a_password_of_twelve_characters_is_accepted_and_eleven_is_not():
    validate_password("Tolv-tegn-ok")
    with pytest.raises(ValidationError) as err:
        validate_password("Elv-tegn-ok")
    assert any(e.code == "password_too_short" for e in err.value.error_list)


# --- The login lock (django-axes) ---------------------------------------------------------------


class LoginClock:
    """The time of each login attempt, moved by the test instead of the wall clock."""

    def __init__(self, monkeypatch) -> None:
        import axes.handlers.proxy

        self.now = timezone.now()
        monkeypatch.setattr(axes.handlers.proxy, "now", lambda: self.now)
        # AccessAttempt.attempt_time is auto_now_add: a new row takes Django's clock.
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def lock_on(settings, monkeypatch):
    settings.AXES_ENABLED = True
    settings.clock = LoginClock(monkeypatch)
    return settings


def login(client, username, password="forkert-adgangskode", ip="10.1.2.3", path="/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def fail(client, username, times, ip="10.1.2.3", path="/login/"):
    return [login(client, username, ip=ip, path=path).status_code for _ in range(times)]


def test_the_delay_doubles_from_the_fifth_failure_and_is_capped():
    delays = [delay_after(n, free=5, cap=900) for n in range(1, 20)]
    assert delays == [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900]
    assert delay_after(10**6, free=5, cap=900) == 900


def test_login_lock_settings():
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert django_settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    assert django_settings.LOGIN_DELAY_MAX_SECONDS == 15 * 60
    assert timedelta(hours=1) == django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is False


@pytest.mark.django_db
def test_five_failures_make_the_name_wait_at_that_address(lock_on, client, caplog):
    UserFactory(username="anna")
    caplog.set_level(logging.INFO, logger="apoc.security")
    assert fail(client, "anna", 4) == [200] * 4  # the form, with its error
    response = login(client, "anna")
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    page = response.content.decode()
    assert "Log ind er spærret" in page
    assert "Vent 1 sekund, før du prøver igen." in page
    assert any(
        r.levelno == logging.WARNING
        and "login locked (name)" in r.getMessage()
        and "'anna'" in r.getMessage()
        for r in caplog.records
    )
    # Even the right password, from the same address, is refused while she waits.
    response = login(client, "anna", password=PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert any("login refused while locked" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_failures_of_a_name_do_not_lock_it_from_another_address(lock_on, client):
    """The probe: five wrong passwords for aarhus_sb from anywhere locked her everywhere."""
    UserFactory(username="aarhus_sb")
    assert fail(client, "aarhus_sb", 10, ip="10.66.0.1")[-1] == 429
    assert login(client, "aarhus_sb", password=PASSWORD, ip="10.0.0.9").status_code == 302


@pytest.mark.django_db
def test_failures_of_one_name_do_not_lock_colleagues_at_the_same_address(lock_on, client):
    """The probe: one counter PC behind a NAT locked the whole jobcentre."""
    UserFactory(username="bo")
    for name in ("a1", "a2", "a3", "a4", "a5", "a6"):
        fail(client, name, 5, ip="192.0.2.7")
    assert login(client, "bo", password=PASSWORD, ip="192.0.2.7").status_code == 302


@pytest.mark.django_db
def test_each_failure_after_a_wait_doubles_the_next_wait(lock_on, client):
    """Waiting out a delay does not wipe the count: no fresh five guesses after each wait."""
    UserFactory(username="dina")
    fail(client, "dina", 5)
    for expected in (1, 2, 4, 8, 16):
        lock_on.clock.advance(expected - 0.5)
        response = login(client, "dina", password=PASSWORD)
        assert response.status_code == 429, expected  # still waiting: refused, right or wrong
        lock_on.clock.advance(0.5)
        response = login(client, "dina")  # waited: tried, wrong, the next wait doubles
        assert response.status_code == 429
        assert response["Retry-After"] == str(expected * 2)
    lock_on.clock.advance(32)
    assert login(client, "dina", password=PASSWORD).status_code == 302


@pytest.mark.django_db
def test_attempts_while_waiting_are_not_counted(lock_on, client):
    UserFactory(username="ejnar")
    fail(client, "ejnar", 5)
    for _ in range(20):  # hammering during the wait
        assert login(client, "ejnar").status_code == 429
    assert AccessAttempt.objects.get(username="ejnar").failures_since_start == 5
    lock_on.clock.advance(1)
    assert login(client, "ejnar", password=PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_wait_is_capped(lock_on, client):
    UserFactory(username="fie")
    fail(client, "fie", 5)
    for _ in range(15):
        lock_on.clock.advance(15 * 60)
        login(client, "fie")
    response = login(client, "fie", password=PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert "Vent 15 minutter, før du prøver igen." in response.content.decode()
    lock_on.clock.advance(15 * 60)
    assert login(client, "fie", password=PASSWORD).status_code == 302


@pytest.mark.django_db
def test_failures_are_forgotten_after_an_hour_without_one(lock_on, client):
    UserFactory(username="gustav")
    fail(client, "gustav", 8)
    lock_on.clock.advance(60 * 60 + 1)
    assert fail(client, "gustav", 4) == [200] * 4  # four fresh failures before a wait
    assert login(client, "gustav", password=PASSWORD).status_code == 302


@pytest.mark.django_db
def test_fifty_failures_from_one_address_lock_every_name_there(lock_on, client, caplog):
    """Password spraying: many names, few tries each, one address."""
    UserFactory(username="bo")
    caplog.set_level(logging.WARNING, logger="apoc.security")
    for n in range(49):
        assert login(client, f"navn{n}", ip="192.0.2.7").status_code == 200
    assert login(client, "bo", password=PASSWORD, ip="192.0.2.7").status_code == 302
    client.post(reverse("logout"))
    response = login(client, "navn49", ip="192.0.2.7")  # the fiftieth failure
    assert response.status_code == 429
    assert any("login locked (address)" in r.getMessage() for r in caplog.records)
    response = login(client, "bo", password=PASSWORD, ip="192.0.2.7")
    assert response.status_code == 429
    assert "for alle brugernavne" in response.content.decode()
    assert int(response["Retry-After"]) == 60 * 60
    # Bo himself is not locked elsewhere, and the address is let go after an hour.
    assert login(client, "bo", password=PASSWORD, ip="192.0.2.8").status_code == 302
    client.post(reverse("logout"))
    lock_on.clock.advance(60 * 60 + 1)
    assert login(client, "bo", password=PASSWORD, ip="192.0.2.7").status_code == 302


@pytest.mark.django_db
def test_the_address_lock_lifts_as_its_oldest_failures_age_out(lock_on, client):
    UserFactory(username="bo")
    for n in range(30):
        login(client, f"tidlig{n}", ip="192.0.2.9")
    lock_on.clock.advance(30 * 60)
    for n in range(20):
        login(client, f"sen{n}", ip="192.0.2.9")
    assert login(client, "bo", password=PASSWORD, ip="192.0.2.9").status_code == 429
    lock_on.clock.advance(30 * 60 + 1)  # the first thirty are an hour old
    assert login(client, "bo", password=PASSWORD, ip="192.0.2.9").status_code == 302


@pytest.mark.django_db
def test_the_admin_login_counts_with_ours(lock_on, client):
    SupervisorFactory(username="tove")
    fail(client, "tove", 5, path="/admin/login/")
    assert login(client, "tove", password=PASSWORD, path="/admin/login/").status_code == 429
    assert login(client, "tove", password=PASSWORD).status_code == 429
    assert login(client, "tove", password=PASSWORD, ip="10.7.7.7").status_code == 302


@pytest.mark.django_db
def test_a_success_before_the_limit_clears_the_failures(lock_on, client):
    UserFactory(username="carl")
    for _ in range(4):
        login(client, "carl")
    assert login(client, "carl", password=PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        login(client, "carl")
    assert login(client, "carl", password=PASSWORD).status_code == 302


@pytest.mark.django_db
def test_a_success_does_not_clear_other_names_failures_at_the_address(lock_on, client):
    """An attacker who knows one password cannot reset the address's count with it."""
    UserFactory(username="hugo")
    for n in range(49):
        login(client, f"navn{n}", ip="192.0.2.7")
    assert login(client, "hugo", password=PASSWORD, ip="192.0.2.7").status_code == 302
    client.post(reverse("logout"))
    login(client, "navn49", ip="192.0.2.7")
    assert login(client, "hugo", password=PASSWORD, ip="192.0.2.7").status_code == 429


@pytest.mark.django_db
def test_an_administrator_lifts_a_lock_with_the_command(lock_on, client):
    UserFactory(username="emil")
    for _ in range(5):
        login(client, "emil")
    assert login(client, "emil", password=PASSWORD).status_code == 429
    call_command("axes_reset_username", "emil", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert login(client, "emil", password=PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for n in range(50):
        login(client, f"navn{n}", ip="192.0.2.10")
    assert login(client, "emil", password=PASSWORD, ip="192.0.2.10").status_code == 429
    call_command("axes_reset_ip", "192.0.2.10", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert login(client, "emil", password=PASSWORD, ip="192.0.2.10").status_code == 302


@pytest.mark.django_db
def test_a_national_administrator_lifts_a_lock_in_the_admin(lock_on, client):
    UserFactory(username="frida")
    for _ in range(5):
        login(client, "frida", ip="10.4.4.4")
    assert login(client, "frida", password=PASSWORD, ip="10.4.4.4").status_code == 429
    admin = Client()
    admin.force_login(NationalAdminFactory())
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert "frida" in changelist.content.decode()
    for attempt in AccessAttempt.objects.all():
        url = reverse("admin:axes_accessattempt_delete", args=[attempt.pk])
        assert admin.post(url, {"post": "yes"}).status_code == 302
    assert login(client, "frida", password=PASSWORD, ip="10.4.4.4").status_code == 302


@pytest.mark.django_db
def test_the_lockout_page_is_in_english_for_english_users(lock_on, client):
    UserFactory(username="ib")
    client.post(reverse("set_language"), {"language": "en"})
    fail(client, "ib", 4)
    response = login(client, "ib")
    assert response.status_code == 429
    assert "Wait 1 second before you try again." in response.content.decode()


@pytest.mark.django_db
def test_an_overlong_user_name_is_a_form_error_on_our_login(lock_on, client):
    response = login(client, "x" * 1000)
    assert response.status_code == 200
    assert response.context["form"].errors["username"]


@pytest.mark.django_db
def test_an_overlong_user_name_is_counted_by_the_lock_not_a_database_error(lock_on, client):
    """The admin's login form passes any name on; the lock's table takes 255 characters."""
    response = login(client, "x" * 1000, path="/admin/login/")
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 255


def test_the_failures_must_be_remembered_at_least_a_minute(tmp_path):
    result = run_manage(
        "check",
        env=production_env(APOC_VAR_DIR=str(tmp_path), APOC_LOGIN_LOCK_MINUTES="0"),
    )
    assert result.returncode != 0
    assert "APOC_LOGIN_LOCK_MINUTES must be 1 or more" in result.stderr


@pytest.mark.django_db
def test_caseworkers_and_supervisors_cannot_lift_locks(client):
    for user in (CaseworkerFactory(), SupervisorFactory()):
        client.force_login(user)
        response = client.get(reverse("admin:axes_accessattempt_changelist"))
        assert response.status_code in (302, 403)


# --- The client's address behind a proxy --------------------------------------------------------


def _request(remote="203.0.113.9", forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return SimpleNamespace(META=meta)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is anybody's to write and is ignored.
        ([], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # The proxy appends the address that connected to it.
        (["10.0.0.2"], "10.0.0.2", "198.51.100.1", "198.51.100.1"),
        # A client's own X-Forwarded-For does not get past the proxy's hop.
        (["10.0.0.2"], "10.0.0.2", "1.1.1.1, 198.51.100.1", "198.51.100.1"),
        # Two proxies of ours, given as a network.
        (["10.0.0.0/24"], "10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"),
        # A request that comes around the proxy cannot claim an address.
        (["10.0.0.2"], "203.0.113.9", "198.51.100.1", "203.0.113.9"),
        # A malformed hop stops at the proxy's own address.
        (["10.0.0.2"], "10.0.0.2", "198.51.100.1, bogus", "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", "", "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", None, "10.0.0.2"),
        (["10.0.0.2"], "10.0.0.2", "198.51.100.1:5555", "10.0.0.2"),
        # IPv6, and an IPv4 client given as IPv4-mapped IPv6.
        (["fd00::/8"], "fd00::2", "2001:db8::7", "2001:db8::7"),
        (["10.0.0.2"], "10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1"),
        ([], "", None, None),
        ([], "not-an-address", None, None),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = trusted
    assert client_ip(_request(remote, forwarded)) == expected


def test_client_ip_without_a_request_is_none():
    assert client_ip(None) is None


@pytest.mark.django_db
def test_the_access_log_records_the_client_behind_a_trusted_proxy(settings, client):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    client.force_login(CaseworkerFactory())
    client.post(
        reverse("registrations:search"),
        {"q": "Nowak"},
        follow=True,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23",
    )
    entry = AuditEntry.objects.get(action=Action.SEARCH)
    assert entry.ip_address == "198.51.100.23"


@pytest.mark.django_db
def test_the_login_lock_counts_the_client_behind_a_trusted_proxy(lock_on, client):
    lock_on.TRUSTED_PROXIES = ["127.0.0.1/32"]
    UserFactory(username="gert")
    for _ in range(5):
        client.post(
            "/login/",
            {"username": "gert", "password": "forkert"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.44",
        )
    assert AccessAttempt.objects.filter(ip_address="198.51.100.44").exists()
    assert not AccessAttempt.objects.filter(ip_address="127.0.0.1").exists()


# --- Health check -------------------------------------------------------------------------------


def test_healthz_answers_without_the_database_or_a_login(client):
    response = client.get("/healthz")  # no django_db mark: a query would fail the test
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"].startswith("max-age=0")
    assert client.post("/healthz").status_code == 405
