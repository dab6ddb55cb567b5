"""A COMMIT whose reply is lost: the registration PostgreSQL committed stays whole.

PostgreSQL commits the intake's transaction and the connection drops before
the reply reaches the application (a network fault, a failover at the wrong
moment). The application cannot tell that from a rollback, so the user may
see the 503 page; but what lives outside the database must not be undone: the
stored identity document belongs to the committed registration. The retry with
the same submission token finds the registration, and its document opens.

A TCP proxy between Django and PostgreSQL (tests/tcp_proxy.py) forwards the
COMMIT, reads the server's reply, and closes both connections instead of
relaying it. The tests run in real transactions, so the commit is the
database's own.
"""

from __future__ import annotations

import contextlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from cpr.models import Allocation
from jobnet.models import JobnetAccount
from registrations.models import Registration
from tests import test_faults
from tests.factories import png_bytes
from tests.registrations.conftest import intake_post
from tests.tcp_proxy import PostgresProxy

pytestmark = pytest.mark.django_db(transaction=True)

# As in tests/test_faults.py: the roles (a flush in an earlier test may have
# emptied the groups), a caseworker, and a client that shows the error pages.
roles = test_faults.roles
caseworker = test_faults.caseworker
browser = test_faults.browser
stored_files = test_faults.stored_files


@pytest.fixture
def proxy(postgresql_only):
    settings = connection.settings_dict
    with PostgresProxy(settings["HOST"], settings["PORT"]) as proxy:
        yield proxy


@contextlib.contextmanager
def through(proxy: PostgresProxy):
    """Django's default connection goes through the proxy inside the block."""
    settings = connection.settings_dict
    saved = settings["HOST"], settings["PORT"]
    connection.close()
    settings["HOST"], settings["PORT"] = proxy.host, str(proxy.port)
    try:
        yield
    finally:
        connection.close()  # the next query connects to the server directly
        settings["HOST"], settings["PORT"] = saved


def post_intake(browser, proxy, data):
    with through(proxy):
        return browser.post(reverse("registrations:intake"), data)


def get_document(browser, registration) -> tuple[int, bytes]:
    response = browser.get(reverse("registrations:document", args=[registration.pk]))
    try:
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, body
    finally:
        response.close()


def test_an_intake_through_the_proxy_is_unchanged(proxy, browser):
    """The control: with the proxy in between and nothing dropped, the intake works."""
    image = png_bytes()
    data = intake_post(document_file=SimpleUploadedFile("id.png", image, "image/png"))
    response = post_intake(browser, proxy, data)
    assert proxy.drops == 0
    assert ("simple", "COMMIT") in proxy.commits
    registration = Registration.objects.get(submission_token=data["submission_token"])
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:detail", args=[registration.pk])
    assert get_document(browser, registration) == (200, image)


def test_a_lost_commit_reply_leaves_the_registration_whole(proxy, browser):
    image = png_bytes()
    data = intake_post(document_file=SimpleUploadedFile("id.png", image, "image/png"))
    token = data["submission_token"]
    documents_before = stored_files("documents")

    proxy.drop_after_commit(times=1)
    response = post_intake(browser, proxy, data)
    assert proxy.drops == 1  # PostgreSQL got the COMMIT; its reply never reached Django
    assert proxy.commits[0] == ("simple", "COMMIT")

    # Not a 500: the page that says nothing is half-saved, or the registration.
    assert response.status_code in (302, 503)
    if response.status_code == 503:
        assert "Intet er gemt halvt" in response.content.decode()

    # Committed: read through a new connection, straight to the server.
    assert connection.settings_dict["PORT"] != str(proxy.port)
    registration = Registration.objects.get(submission_token=token)
    if response.status_code == 302:
        assert response["Location"] == reverse("registrations:detail", args=[registration.pk])

    # The committed registration's document is still stored, with the uploaded bytes.
    name = registration.document_file.name
    assert registration.document_file.storage.exists(name), f"{name} was deleted"
    with registration.document_file.open("rb") as handle:
        assert handle.read() == image
    assert stored_files("documents") - documents_before == {name.removeprefix("documents/")}

    # The browser's retry (the file is not sent again) shows the registration.
    again = intake_post(submission_token=token, document_file=None)
    response = browser.post(reverse("registrations:intake"), again)
    assert response.status_code == 302
    assert response["Location"] == reverse("registrations:detail", args=[registration.pk])

    assert get_document(browser, registration) == (200, image)

    assert Registration.objects.count() == 1
    assert Allocation.objects.count() == 1
    assert JobnetAccount.objects.count() == 1
