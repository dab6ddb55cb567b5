"""Training mode (APOC_TRAINING): the band on every page, and checks other apps can add."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.test import override_settings
from django.urls import reverse

from apoc.training import is_training_only, training_only_check
from tests.factories import CaseworkerFactory, NationalAdminFactory

ROOT = Path(__file__).resolve().parent.parent
BAND = "Træningsmiljø – personnumre og Jobnet-koder er ikke registreret i CPR eller Jobnet"
BAND_EN = "Training environment – personnumre and Jobnet logins are not registered in CPR or Jobnet"


def band_of(response) -> str | None:
    """The band's element as the page has it: outside <main>, before it."""
    html = response.content.decode()
    if 'class="apoc-training"' not in html:
        return None
    start = html.index('<aside class="apoc-training"')
    end = html.index("</aside>", start)
    assert html.count('class="apoc-training"') == 1
    main = html.index("<main")
    assert end < main, "the band is outside <main>, above it"
    assert 'style="' not in html[start:end] and "<script" not in html[start:end]
    return html[start:end]


@pytest.fixture
def caseworker_client(client, db):
    client.force_login(CaseworkerFactory())
    return client


@pytest.fixture
def admin_client_(client, db):
    client.force_login(NationalAdminFactory())
    return client


PAGES = {
    "caseworker": ("caseworker_client", "registrations:search"),
    "login": ("client", "login"),
    "admin": ("admin_client_", "admin:index"),
    "admin login": ("client", "admin:login"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_every_kind_of_page_shows_the_band_in_training_mode(page, request):
    fixture, url = PAGES[page]
    client = request.getfixturevalue(fixture)
    with override_settings(APOC_TRAINING=True):
        response = client.get(reverse(url))
    assert response.status_code == 200
    band = band_of(response)
    assert band is not None
    assert BAND in band
    assert 'aria-label="Træningsmiljø"' in band


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_no_band_outside_training_mode(page, request):
    fixture, url = PAGES[page]
    client = request.getfixturevalue(fixture)
    with override_settings(APOC_TRAINING=False):
        response = client.get(reverse(url))
    assert response.status_code == 200
    assert band_of(response) is None
    assert "Træningsmiljø" not in response.content.decode()


@pytest.mark.django_db
@override_settings(APOC_TRAINING=True)
def test_the_band_is_in_english_on_english_pages(caseworker_client):
    caseworker_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = caseworker_client.get(reverse("registrations:search"))
    band = band_of(response)
    assert BAND_EN in band and 'aria-label="Training environment"' in band


def settings_value(module: str, name: str, **env: str) -> str:
    """A setting as ``module`` has it in a fresh process, without this run's training choices."""
    environ = {k: v for k, v in os.environ.items() if k not in ("APOC_TRAINING", "JOBNET_ACCOUNTS")}
    environ.update(DJANGO_SECRET_KEY="x" * 50, PYTHONPATH=str(ROOT), **env)
    code = f"import {module} as s; print(s.{name})"
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_make_run_and_the_tests_are_in_training_mode_and_base_settings_are_not(settings):
    assert settings.APOC_TRAINING is True
    assert settings_value("apoc.settings.local", "APOC_TRAINING") == "True"
    assert settings_value("apoc.settings.test", "APOC_TRAINING") == "True"
    assert settings_value("apoc.settings.base", "APOC_TRAINING") == "False"
    assert settings_value("apoc.settings.base", "APOC_TRAINING", APOC_TRAINING="1") == "True"


def test_make_run_and_the_tests_make_up_jobnet_logins_and_base_settings_take_the_case_systems():
    local = "jobnet.accounts.LocalAccounts"
    case_system = "jobnet.accounts.CaseSystemAccounts"
    assert settings_value("apoc.settings.local", "JOBNET_ACCOUNTS") == local
    assert settings_value("apoc.settings.test", "JOBNET_ACCOUNTS") == local
    assert settings_value("apoc.settings.base", "JOBNET_ACCOUNTS") == case_system
    assert settings_value("apoc.settings.base", "JOBNET_ACCOUNTS", JOBNET_ACCOUNTS=local) == local


def test_the_band_has_its_style_in_both_style_sheets():
    for name in ("apoc.css", "apoc-admin.css"):
        css = (ROOT / "static" / name).read_text("utf-8")
        assert ".apoc-training {" in css, name
        assert "background-color: #ffd43b;" in css and "color: #000;" in css, name


def test_the_bands_colours_have_a_contrast_above_4_5():
    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    ratio = (luminance("#ffd43b") + 0.05) / (luminance("#000000") + 0.05)
    assert ratio >= 4.5
    assert round(ratio, 1) == 14.7


# -- more training-only backends ------------------------------------------------------


class MadeUpLogins:
    """A backend like the Jobnet logins APOC makes up itself."""

    training_only = True


class JobnetLogins:
    pass


def made_up_logins_check():
    return training_only_check(
        setting="JOBNET_LOGINS",
        error_id="jobnet.E001",
        import_error_id="jobnet.E002",
        consequence="the Jobnet logins would not work on Jobnet.",
        production="set JOBNET_LOGINS to Jobnet's service.",
    )


@override_settings(APOC_TRAINING=False, JOBNET_LOGINS=f"{__name__}.MadeUpLogins")
def test_another_app_adds_its_training_only_backend_with_its_own_check():
    check = made_up_logins_check()
    (error,) = check()
    assert error.id == "jobnet.E001" and error.level == checks.ERROR
    assert error.msg == (
        f"JOBNET_LOGINS is {__name__}.MadeUpLogins, which is for training only: "
        "the Jobnet logins would not work on Jobnet."
    )
    assert (
        "APOC_TRAINING=1" in error.hint and "set JOBNET_LOGINS to Jobnet's service." in error.hint
    )
    with override_settings(APOC_TRAINING=True):
        assert check() == []
    with override_settings(JOBNET_LOGINS=f"{__name__}.JobnetLogins"):
        assert check() == []


def test_a_backend_is_training_only_by_its_marker_alone():
    assert is_training_only(MadeUpLogins) and is_training_only(MadeUpLogins())
    assert not is_training_only(JobnetLogins)

    class Truthy:
        training_only = "yes"

    assert not is_training_only(Truthy)
