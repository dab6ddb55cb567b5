"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

One browser per session, a fresh context (cookies, locale, viewport) per test.
Screenshots go to ``test-output/e2e/<test>/``, which git ignores.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission

from apoc.accounts.roles import CASEWORKER, ROLE_PERMISSIONS, SUPERVISOR
from tests.factories import (
    CaseworkerFactory,
    JobcentreFactory,
    SupervisorFactory,
)

from .helpers import AXE_PATH, AXE_URL_PATH, OUTPUT, Shots

CHROMIUM = os.environ.get("APOC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}


def _missing(what: str) -> None:
    """Locally, a missing browser or axe-core skips the browser tests; in CI it fails them."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI installs both: see .ci/run)")
    pytest.skip(what)


@pytest.fixture(scope="session")
def _no_media_files_handler():
    """APOC has no public media URL (``MEDIA_URL = None``; documents are served by a view
    that checks rights). Django's live server wraps the app in a media files handler that
    cannot parse a ``None`` URL and fails every request, so the live server goes without it."""
    from django.test import testcases

    original = testcases._MediaFilesHandler
    testcases._MediaFilesHandler = lambda application: application
    yield
    testcases._MediaFilesHandler = original


@pytest.fixture(scope="session")
def live_server(_no_media_files_handler, live_server):
    return live_server


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM}: apt-get install chromium")
    if not AXE_PATH.exists():
        _missing(f"no axe-core at {AXE_PATH}: run npm ci")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django would otherwise
    # refuse the ORM calls the tests make between browser steps.
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()
            if before is None:
                del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="da-DK",
        timezone_id="Europe/Copenhagen",
        viewport=VIEWPORT,
        accept_downloads=True,
        # No transitions: the focus styles are read at once, not half-way through a fade.
        reduced_motion="reduce",
    )
    context.set_default_timeout(15_000)
    # axe-core is served from the local npm package at a same-origin URL, so that a
    # strict Content-Security-Policy ("script-src 'self'") lets it run.
    context.route(f"**{AXE_URL_PATH}", lambda route: route.fulfill(path=str(AXE_PATH)))
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shots(request) -> Shots:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    return Shots(OUTPUT / f"{request.node.module.__name__.rsplit('.', 1)[-1]}.{name}")


@pytest.fixture(autouse=True)
def _roles(live_server):
    """The groups the data migration makes. A transactional test before this one may have
    flushed them; put them back with their permissions."""
    for name, permissions in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [
                permission
                for app, codename in permissions
                for permission in Permission.objects.filter(
                    content_type__app_label=app, codename=codename
                )
            ]
        )


@pytest.fixture
def copenhagen():
    return JobcentreFactory(municipality_code="101", municipality="København")


@pytest.fixture
def caseworker(copenhagen):
    user = CaseworkerFactory(
        username="sara", first_name="Sara", last_name="Sagsbehandler", jobcentre=copenhagen
    )
    assert user.groups.filter(name=CASEWORKER).exists()
    return user


@pytest.fixture
def supervisor(copenhagen):
    user = SupervisorFactory(
        username="torben", first_name="Torben", last_name="Teamleder", jobcentre=copenhagen
    )
    assert user.groups.filter(name=SUPERVISOR).exists()
    return user
