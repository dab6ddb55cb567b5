"""Every URL that shows a registered person's data writes an access-log entry that
``manage.py audit_for`` finds.

Built from the URL configuration like the authorization matrix
(``tests/test_authorization.py``), so a new URL fails here until it is
classified: in ``SHOWS`` (how an allowed user asks for the person's data, and
the entry that must follow) or in ``NO_PERSONAL_DATA`` (and why). Admin URLs of
models other than registrations are classified by their model in
``OTHER_ADMIN_MODELS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apoc.audit.management.commands.audit_for import entries_for
from apoc.audit.models import Action, AuditEntry
from tests.registrations.conftest import intake_post
from tests.test_authorization import ALL_URLS, World, build
from tests.test_authorization import world as world  # the fixture

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Shows:
    """How ``role`` asks for registration "a"'s data at a URL, and the entry that must follow."""

    action: str
    role: str = "caseworker_a"
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] | None = None
    query: Callable[[World], str] | None = None
    path: Callable[[World], str] | None = None  # when the URL's own kwargs do not fit
    follow: bool = False


def _autocomplete_query(w: World) -> str:
    return (
        "app_label=registrations&model_name=offer&field_name=registration"
        f"&term={w.registrations['a'].personnummer}"
    )


def _duplicate(w: World) -> dict[str, Any]:
    """An intake of a person registration "a" already is: the duplicate check shows it."""
    person = w.registrations["a"]
    data = intake_post(
        surname=person.surname,
        given_names=person.given_names,
        birth_date=person.birth_date.isoformat(),
        document_number=person.document_number,
        document_country=str(person.document_country),
    )
    return data


#: URL name -> how the person's data is asked for, and the entry it must write.
SHOWS: dict[str, Shows] = {
    "registrations:home": Shows(Action.LIST),
    "registrations:search": Shows(
        Action.SEARCH,
        method="POST",
        data=lambda w: {"q": w.registrations["a"].surname},
        follow=True,
    ),
    "registrations:intake": Shows(Action.DUPLICATE_CHECK, method="POST", data=_duplicate),
    "registrations:detail": Shows(Action.VIEW),
    "registrations:document": Shows(Action.VIEW_DOCUMENT),
    # An empty form comes back on the registration's page.
    "registrations:offer_add": Shows(Action.VIEW, method="POST", data=lambda w: {}),
    "registrations:jobseeker": Shows(Action.VIEW, method="POST", data=lambda w: {}),
    "registrations:letter": Shows(Action.VIEW),
    "admin:registrations_registration_changelist": Shows(Action.SEARCH, role="supervisor_a"),
    "admin:registrations_registration_change": Shows(Action.VIEW, role="supervisor_a"),
    "admin:registrations_registration_history": Shows(Action.VIEW, role="supervisor_a"),
    "admin:registrations_registration_document": Shows(Action.VIEW_DOCUMENT, role="supervisor_a"),
    "admin:registrations_registration_review": Shows(Action.VIEW, role="supervisor_a"),
    "admin:registrations_registration_lifecycle": Shows(
        Action.VIEW,
        role="supervisor_a",
        path=lambda w: reverse(
            "admin:registrations_registration_lifecycle",
            args=[w.registrations["a"].pk, "transfer"],
        ),
    ),
    "admin:registrations_registration_export": Shows(Action.EXPORT, role="supervisor_a"),
    "admin:autocomplete": Shows(Action.SEARCH, role="national", query=_autocomplete_query),
}

#: URL name -> why it shows no registered person's data.
NO_PERSONAL_DATA: dict[str, str] = {
    "healthz": "a constant answer",
    "login": "the login form",
    "login_provider": "a redirect to the municipality's identity provider",
    "login_callback": "signs a member of staff in (logged as sign_in or sign_in_refused)",
    "logout": "signs out",
    "set_language": "sets a cookie and redirects",
    "password_set": "a staff member chooses their own password (logged as password_set)",
    "password_set_done": "a confirmation",
    "registrations:intake_mrz": "shows back what the caseworker typed, nothing stored",
    "admin:index": "the list of models",
    "admin:app_list": "the list of an app's models",
    "admin:login": "the login form",
    "admin:logout": "signs out",
    "admin:password_change": "the user's own password",
    "admin:password_change_done": "a confirmation",
    "admin:jsi18n": "the admin's translations",
    "admin:view_on_site": "a redirect to the object's page, which logs itself",
    "admin:registrations_registration_add": "refused: nobody adds registrations in admin",
    "admin:registrations_registration_delete": "refused: nobody deletes registrations",
    "admin:registrations_registration_statistics": "counts by week, category, nationality",
    # Unnamed, by route:
    "admin/registrations/registration/<path:object_id>/": "a redirect to the change page",
    "admin/(?P<url>.*)$": "the admin's catch-all: a redirect or a 404",
}

#: Admin models other than registrations, by label -> why their pages are not logged.
OTHER_ADMIN_MODELS: dict[str, str] = {
    "audit.auditentry": (
        "the access log itself, shown with every personnummer masked; reading it is the "
        "supervisor's control of the log, not a use of the register"
    ),
    "accounts.user": "staff accounts, not registered persons",
    "accounts.jobcentre": "the jobcentres' contact data",
    "accounts.identityprovider": "the municipalities' identity providers, no person's data",
    "auth.group": "the roles",
    "axes.accessattempt": "failed logins of staff",
    "axes.accesslog": "logins of staff",
    "axes.accessfailurelog": "failed logins of staff",
}


def _classified(url) -> str:
    if url.name in SHOWS:
        return "shows"
    if (url.name or url.route) in NO_PERSONAL_DATA:
        return "no"
    if url.is_admin and url.admin_model in OTHER_ADMIN_MODELS:
        return "no"
    return ""


def test_every_url_is_classified():
    missing = [f"{u.route!r} ({u.name!r})" for u in ALL_URLS if not _classified(u)]
    assert not missing, (
        "Classify these URLs in tests/test_audit_coverage.py: SHOWS when a page shows a "
        "registered person's data (and make it write an access-log entry), NO_PERSONAL_DATA "
        f"otherwise: {missing}"
    )
    names = {u.name for u in ALL_URLS}
    keys = names | {u.route for u in ALL_URLS}
    assert set(SHOWS) <= names, set(SHOWS) - names
    assert set(NO_PERSONAL_DATA) <= keys, set(NO_PERSONAL_DATA) - keys


def _client(w: World, role: str) -> Client:
    client = Client()
    client.force_login(w.users[role])
    return client


@pytest.mark.parametrize("url", [u for u in ALL_URLS if u.name in SHOWS], ids=lambda u: u.name)
def test_a_page_that_shows_a_person_writes_an_entry_audit_for_finds(url, world):
    how = SHOWS[url.name]
    person = world.registrations["a"]
    path = how.path(world) if how.path else build(url, world, "a")[0]
    if how.query:
        path += "?" + how.query(world)
    client = _client(world, how.role)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    data = how.data(world) if how.data else None
    if how.method == "POST":
        response = client.post(path, data or {}, follow=how.follow)
    else:
        response = client.get(path, follow=how.follow)
    assert response.status_code in (200, 400, 409), response.status_code
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode()
        assert person.surname in body or person.masked_personnummer in body, (
            "the page should show the person; is the example right?"
        )
    new = [e for e in entries_for(person.personnummer) if e.pk not in before]
    assert [e for e in new if e.action == how.action], (
        f"{how.method} {path} as {how.role} wrote no {how.action} entry that audit_for finds: "
        f"{[(e.action, e.subject_type, e.subject_id, e.criteria) for e in AuditEntry.objects.exclude(pk__in=before)]}"
    )
    other = world.registrations["b"]
    assert not [e for e in new if e in entries_for(other.personnummer)], "names the other person"
