"""Who may open which URL, checked for every URL the URL configuration has.

The matrix is built from ``get_resolver().url_patterns`` itself, admin URLs
included, so a new URL is covered the day it is added:

- Each URL is opened by six roles: anonymous, a caseworker and a supervisor of
  jobcentre A, the same of jobcentre B, and a national administrator.
- A URL that names an object (``pk``, ``object_id``, …) is opened once with an
  object of jobcentre A and once with one of jobcentre B.
- Our own URLs are classified in ``OURS`` below: the status each role gets for
  an object of its own jobcentre and of another. A URL that is not there fails
  the test with a message saying what to add.
- Admin URLs are classified by rule, whatever admin is built: a user who is
  not staff is sent to the admin's login; a staff user gets what the
  ModelAdmin's own permission methods and queryset promise for the standard
  views, never a 500 anywhere, and never a 200 for an object of another
  jobcentre. A registered model needs an example object in ``ADMIN_OBJECTS``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from apoc.accounts.models import Jobcentre
from apoc.audit.models import Action, AuditEntry
from apoc.audit.services import AuditContext
from tests.factories import (
    CaseworkerFactory,
    JobcentreFactory,
    NationalAdminFactory,
    OfferFactory,
    RegistrationFactory,
    SupervisorFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "caseworker_a", "caseworker_b", "supervisor_a", "supervisor_b", "national")
SIDES = ("a", "b")

# --- Our URLs -----------------------------------------------------------------------------------

#: Reachable without logging in; every other URL of ours sends the anonymous user to login.
PUBLIC = {
    "healthz",
    "login",
    "login_provider",
    "login_callback",
    "set_language",
    "password_set",
    "password_set_done",
}


@dataclass(frozen=True)
class Rule:
    """Statuses for one method: a jobcentre's staff on its own object, on another
    jobcentre's object, and the national administrator (any object)."""

    own: int
    other: int
    national: int
    anonymous: int | None = None  # only for PUBLIC URLs

    @classmethod
    def same(cls, status: int, anonymous: int | None = None) -> Rule:
        return cls(status, status, status, anonymous)


#: URL name -> method -> Rule. GET and POST (an empty form) are tried on every URL.
OURS: dict[str, dict[str, Rule]] = {
    "healthz": {"GET": Rule.same(200, anonymous=200), "POST": Rule.same(405, anonymous=405)},
    # Logged in: sent on to the front page.
    "login": {"GET": Rule.same(302, anonymous=200), "POST": Rule.same(302, anonymous=200)},
    # Without a municipality: back to the login page. GET only.
    "login_provider": {
        "GET": Rule.same(302, anonymous=302),
        "POST": Rule.same(405, anonymous=405),
    },
    # An unknown provider's callback. GET only.
    "login_callback": {
        "GET": Rule.same(404, anonymous=404),
        "POST": Rule.same(405, anonymous=405),
    },
    # Django 5's LogoutView signs out on POST only.
    "logout": {"GET": Rule.same(405), "POST": Rule.same(302)},
    "set_language": {"GET": Rule.same(302, anonymous=302), "POST": Rule.same(302, anonymous=302)},
    # The link to choose a password: with a forged token, the page saying the link is invalid.
    "password_set": {"GET": Rule.same(200, anonymous=200), "POST": Rule.same(200, anonymous=200)},
    "password_set_done": {
        "GET": Rule.same(200, anonymous=200),
        "POST": Rule.same(405, anonymous=405),
    },
    "registrations:home": {"GET": Rule.same(200), "POST": Rule.same(200)},
    # POST an empty search: the form with its error; GET: the empty form.
    "registrations:search": {"GET": Rule.same(200), "POST": Rule.same(400)},
    # An empty intake is a form with errors.
    "registrations:intake": {"GET": Rule.same(200), "POST": Rule.same(400)},
    # POST only; an empty MRZ is an error to show.
    "registrations:intake_mrz": {"GET": Rule.same(405), "POST": Rule.same(422)},
    "registrations:detail": {"GET": Rule(200, 404, 200), "POST": Rule(200, 404, 200)},
    "registrations:document": {"GET": Rule(200, 404, 200), "POST": Rule(200, 404, 200)},
    # POST only; an empty offer is a form with errors.
    "registrations:offer_add": {"GET": Rule.same(405), "POST": Rule(400, 404, 400)},
    # GET: the confirmation step; POST: the PDF.
    "registrations:letter": {"GET": Rule(200, 404, 200), "POST": Rule(200, 404, 200)},
    # POST only; an empty form (no reason to end with) is a form with errors.
    "registrations:jobseeker": {"GET": Rule.same(405), "POST": Rule(400, 404, 400)},
}

#: Values for URL keyword arguments that do not name an object.
FIXED_KWARGS = {
    "url": "no-such-page/",
    "action": "approve",
    "uidb64": "MQ",
    "token": "1-forged",
    "slug": "no-such-provider",
}
#: Keyword arguments that name an object of the URL's model.
OBJECT_KWARGS = {"pk", "object_id", "id"}


# --- Example objects, one per jobcentre -------------------------------------------------------


@dataclass
class World:
    jobcentres: dict[str, Jobcentre]
    users: dict[str, Any]
    registrations: dict[str, Any]
    cache: dict[tuple[str, str], Any] = field(default_factory=dict)

    def obj(self, label: str, side: str) -> Any:
        key = (label, side)
        if key not in self.cache:
            self.cache[key] = ADMIN_OBJECTS[label](self, side)
        return self.cache[key]


def _audit_entry(world: World, side: str) -> AuditEntry:
    user = world.users[f"caseworker_{side}"]
    return AuditEntry.objects.create(
        user=user,
        username=user.username,
        jobcentre=world.jobcentres[side],
        action=Action.VIEW,
        subject_type="registrations.registration",
        subject_id=world.registrations[side].pk,
    )


def _jobnet_account(world: World, side: str) -> Any:
    from jobnet.services import jobnet_account_create

    registration = world.registrations[side]
    if registration.jobnet_account_id is None:
        registration.jobnet_account = jobnet_account_create(
            by=AuditContext.of(world.users[f"caseworker_{side}"])
        )
        registration.save(update_fields=["jobnet_account"])
    return registration.jobnet_account


def _letter_print(world: World, side: str) -> Any:
    from jobnet.models import LetterPrint

    return LetterPrint.objects.create(
        account=_jobnet_account(world, side),
        printed_by=world.users[f"caseworker_{side}"],
        languages="da,en",
    )


def _intake_refusal(world: World, side: str) -> Any:
    from registrations.models import IntakeRefusal

    return IntakeRefusal.objects.create(
        jobcentre=world.jobcentres[side], category="A", nationality="US", reason_codes=["x"]
    )


def _axes(model_name: str) -> Callable[[World, str], Any]:
    def make(world: World, side: str) -> Any:
        from axes import models

        model = getattr(models, model_name)
        fields = {"username": f"user-{side}", "ip_address": "192.0.2.1", "user_agent": "test"}
        if model_name == "AccessAttempt":
            fields.update(get_data="", post_data="", failures_since_start=1)
        return model.objects.create(**fields)

    return make


def _identity_provider(world: World, side: str) -> Any:
    from apoc.accounts.models import IdentityProvider

    provider, _ = IdentityProvider.objects.get_or_create(
        slug="matrix",
        defaults={"name": "Matrix", "issuer": "https://idp.example", "client_id": "a"},
    )
    return provider


#: An example object of each model registered in the admin, for jobcentre "a" or "b".
#: Models that belong to no jobcentre return the same kind of object for both.
ADMIN_OBJECTS: dict[str, Callable[[World, str], Any]] = {
    "registrations.registration": lambda w, side: w.registrations[side],
    "registrations.offer": lambda w, side: OfferFactory(
        registration=w.registrations[side], created_by=w.users[f"caseworker_{side}"]
    ),
    "registrations.intakerefusal": _intake_refusal,
    "cpr.allocation": lambda w, side: w.registrations[side].allocation,
    "jobnet.jobnetaccount": _jobnet_account,
    "jobnet.letterprint": _letter_print,
    "audit.auditentry": _audit_entry,
    "accounts.user": lambda w, side: w.users[f"caseworker_{side}"],
    "accounts.jobcentre": lambda w, side: w.jobcentres[side],
    "accounts.identityprovider": _identity_provider,
    "auth.group": lambda w, side: Group.objects.get(name="sagsbehandler"),
    "axes.accessattempt": _axes("AccessAttempt"),
    "axes.accesslog": _axes("AccessLog"),
    "axes.accessfailurelog": _axes("AccessFailureLog"),
}
#: Models whose objects belong to a jobcentre: another jobcentre's are never shown.
JOBCENTRE_SCOPED = {
    "registrations.registration",
    "registrations.offer",
    "registrations.intakerefusal",
    "cpr.allocation",
    "jobnet.jobnetaccount",
    "jobnet.letterprint",
    "audit.auditentry",
    "accounts.user",
    "accounts.jobcentre",
}


@pytest.fixture
def world(tmp_path) -> World:
    jobcentres = {
        "a": JobcentreFactory(municipality_code="101", municipality="København"),
        "b": JobcentreFactory(municipality_code="461", municipality="Odense"),
    }
    users: dict[str, Any] = {"anonymous": None, "national": NationalAdminFactory()}
    for side in SIDES:
        users[f"caseworker_{side}"] = CaseworkerFactory(jobcentre=jobcentres[side])
        users[f"supervisor_{side}"] = SupervisorFactory(jobcentre=jobcentres[side])
    registrations = {
        side: RegistrationFactory(
            jobcentre=jobcentres[side],
            created_by=users[f"caseworker_{side}"],
            surname=f"Matrixtest{side.upper()}",
            document_number=f"MATRIX{side.upper()}0001",
        )
        for side in SIDES
    }
    return World(jobcentres, users, registrations)


# --- Walking the URL configuration ----------------------------------------------------------


@dataclass(frozen=True)
class Url:
    route: str  # the full pattern, as ResolverMatch.route gives it
    name: str  # "namespace:name", or "" when unnamed
    segments: tuple[Any, ...]  # each pattern from the root to this one
    admin_model: str | None  # "app_label.model_name" under the admin's model URLs
    is_admin: bool

    @property
    def kwargs(self) -> list[str]:
        names: list[str] = []
        for pattern in self.segments:
            names += list(pattern.regex.groupindex)
        return names


def _admin_models() -> dict[str, str]:
    return {
        f"{m._meta.app_label}/{m._meta.model_name}/": m._meta.label_lower
        for m in admin.site._registry
    }


def walk(patterns=None, segments=(), namespace="", model=None) -> Iterator[Url]:
    models = _admin_models()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        here = (*segments, pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            inner_model = model
            if ns.startswith("admin"):
                inner_model = models.get(str(pattern.pattern), model)
            yield from walk(pattern.url_patterns, here, ns, inner_model)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield Url(
                route="".join(str(p) for p in here),
                name=name or "",
                segments=here,
                admin_model=model,
                is_admin=namespace.split(":")[0] == "admin",
            )


ALL_URLS = list(walk())


def _fill_route(pattern: RoutePattern, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: values[m.group(1)], str(pattern))


def _fill_regex(pattern: RegexPattern, values: dict[str, str]) -> str:
    text = str(pattern).lstrip("^").rstrip("$")
    out, i = "", 0
    while i < len(text):
        match = re.compile(r"\(\?P<(\w+)>").match(text, i)
        if match is None:
            out += text[i + 1] if text[i] == "\\" else text[i]
            i += 2 if text[i] == "\\" else 1
            continue
        depth, j = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        out += values[match.group(1)]
        i = j
    return out


def _app_label(url: Url) -> str:
    for pattern in url.segments:
        if "app_label" in pattern.regex.groupindex:
            found = re.search(r"\(\?P<app_label>([^)]*)\)", str(pattern))
            labels = found.group(1).split("|") if found else []
            return "registrations" if "registrations" in labels else labels[0]
    raise AssertionError(url)


def build(url: Url, world: World, side: str) -> tuple[str, Any]:
    """The concrete path for ``url`` naming the object of jobcentre ``side``, and that object."""
    values: dict[str, str] = {}
    obj = None
    label = url.admin_model or ("registrations.registration" if not url.is_admin else None)
    for kwarg in url.kwargs:
        if kwarg in FIXED_KWARGS:
            values[kwarg] = FIXED_KWARGS[kwarg]
        elif kwarg == "app_label":
            values[kwarg] = _app_label(url)
        elif kwarg == "content_type_id":
            values[kwarg] = str(ContentType.objects.get_for_model(world.registrations[side]).pk)
            label = "registrations.registration"
        elif kwarg in OBJECT_KWARGS:
            if label not in ADMIN_OBJECTS:
                pytest.fail(
                    f"No example object for {label!r} (URL {url.route!r}): add a builder to "
                    "ADMIN_OBJECTS in tests/test_authorization.py, and list the model in "
                    "JOBCENTRE_SCOPED if its objects belong to a jobcentre."
                )
            obj = world.obj(label, side)
            values[kwarg] = str(obj.pk)
        else:
            pytest.fail(
                f"URL {url.route!r} has the keyword argument {kwarg!r}, which the "
                "authorization matrix cannot fill: add a value to FIXED_KWARGS or "
                "OBJECT_KWARGS in tests/test_authorization.py."
            )
    path = "/" + "".join(
        _fill_route(p, values) if isinstance(p, RoutePattern) else _fill_regex(p, values)
        for p in url.segments
    )
    resolved = resolve(path).route
    assert resolved.replace("^", "") == url.route.replace("^", ""), (path, resolved, url.route)
    return path, obj


def _side_of(role: str) -> str | None:
    return role[-1] if role.endswith(("_a", "_b")) else None


def _client(world: World, role: str) -> Client:
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _sides(url: Url) -> tuple[str, ...]:
    return (
        SIDES if any(k in OBJECT_KWARGS or k == "content_type_id" for k in url.kwargs) else ("a",)
    )


def _ids(url: Url) -> str:
    return url.name or url.route


# --- Our URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [u for u in ALL_URLS if not u.is_admin], ids=_ids)
def test_our_url(url, world):
    if url.name not in OURS:
        pytest.fail(
            f"The URL {url.route!r} (name {url.name!r}) is not classified. Add it to OURS in "
            "tests/test_authorization.py with the status each role should get for GET and "
            "POST (and to PUBLIC if it needs no login)."
        )
    wrong = []
    for side in _sides(url):
        path, _ = build(url, world, side)
        for method, rule in OURS[url.name].items():
            for role in ROLES:
                client = _client(world, role)
                response = getattr(client, method.lower())(path)
                if role == "anonymous":
                    if url.name in PUBLIC:
                        expected = rule.anonymous
                    else:
                        expected = 302
                        location = response.get("Location", "")
                        if response.status_code == 302 and not location.startswith("/login/"):
                            wrong.append(f"{method} {path} {role}: redirected to {location}")
                elif role == "national":
                    expected = rule.national
                else:
                    expected = rule.own if _side_of(role) == side else rule.other
                if response.status_code != expected:
                    wrong.append(
                        f"{method} {path} as {role}: {response.status_code}, expected {expected}"
                    )
                _assert_no_leak(world, role, response, wrong, f"{method} {path}")
    assert not wrong, "\n".join(wrong)


def _assert_no_leak(world: World, role: str, response, wrong: list[str], what: str) -> None:
    """A jobcentre's staff never see another jobcentre's person, on any page."""
    side = _side_of(role)
    if side is None or not response.get("Content-Type", "").startswith("text/html"):
        return
    other = world.registrations["b" if side == "a" else "a"]
    body = response.content.decode(errors="replace")
    if other.surname in body or other.document_number in body:
        wrong.append(f"{what} as {role}: shows the other jobcentre's registration")


# --- Admin URLs -------------------------------------------------------------------------------


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _standard_view(url: Url) -> str | None:
    """For the ModelAdmin's own views: which one; None for others."""
    if url.admin_model is None or not url.name:
        return None
    suffix = url.name.rsplit("_", 1)[-1]
    app, model = url.admin_model.split(".")
    if url.name == f"admin:{app}_{model}_{suffix}" and suffix in (
        "changelist",
        "add",
        "change",
        "delete",
        "history",
    ):
        return suffix
    return None


def _expected_standard(view: str, url: Url, user, obj) -> set[int]:
    """What the ModelAdmin's own methods promise this user for this view.

    Mirrors the order of Django's checks: the change and delete views ask for
    the permission first (with no object when the queryset hides it), the
    history view looks the object up first. An object the queryset hides gets
    the admin's redirect to its index, or a 404 from an admin that prefers one.
    """
    model_admin = next(
        ma for m, ma in admin.site._registry.items() if m._meta.label_lower == url.admin_model
    )
    request = _request(user)
    if view == "changelist":
        return {200 if model_admin.has_view_or_change_permission(request) else 403}
    if view == "add":
        return {200 if model_admin.has_add_permission(request) else 403}
    visible = model_admin.get_queryset(request).filter(pk=obj.pk).exists()
    found = obj if visible else None
    hidden = {302, 404}
    if view == "history":
        if not visible:
            return hidden
        return {200 if model_admin.has_view_or_change_permission(request, obj) else 403}
    allowed = (
        model_admin.has_delete_permission(request, found)
        if view == "delete"
        else model_admin.has_view_or_change_permission(request, found)
    )
    if not allowed:
        return {403}
    return {200} if visible else hidden


#: Statuses a staff user may get from an admin URL that is not a ModelAdmin's standard view.
ADMIN_STATUSES = {200, 301, 302, 403, 404, 405}


def _login_page_as_expected(url: Url, path: str, status: int, location: str) -> bool:
    """Whether a user who may not use the admin got the login page (or what login/logout give)."""
    login = "/admin/login/"
    if url.name == "admin:login":
        return status == 200
    if url.name == "admin:logout":
        return status in (302, 405) and not location.startswith(path)
    # Anonymous users meet LoginRequiredMiddleware first, staff-less users the admin.
    return status == 302 and location.startswith((f"{login}?next=", "/login/?next="))


def _check_staff_status(
    url: Url, user: Any, obj: Any, status: int, what: str, wrong: list[str]
) -> None:
    """A ModelAdmin's own views answer as its permissions promise, other views sensibly."""
    view = _standard_view(url)
    if view is not None:
        expected = _expected_standard(view, url, user, obj)
        if status not in expected:
            wrong.append(f"{what}, expected {expected} from the ModelAdmin's permissions")
    elif status not in ADMIN_STATUSES:
        wrong.append(f"{what}, expected one of {sorted(ADMIN_STATUSES)}")


def _check_other_jobcentre_hidden(
    world: World, url: Url, role: str, side: str, path: str, obj: Any, what: str, wrong: list[str]
) -> None:
    """Wherever redirects lead, another jobcentre's object is never shown."""
    scoped = url.admin_model in JOBCENTRE_SCOPED or "content_type_id" in url.kwargs
    if obj is None or not scoped or _side_of(role) in (None, side):
        return
    final = _client(world, role).get(path, follow=True)
    landed = final.request["PATH_INFO"]
    if final.status_code == 200 and f"/{obj.pk}/" in landed:
        wrong.append(f"{what}: another jobcentre's {url.admin_model} is shown at {landed}")
    _assert_no_leak(world, role, final, wrong, f"GET {path} (followed)")


@pytest.mark.parametrize("url", [u for u in ALL_URLS if u.is_admin], ids=_ids)
def test_admin_url(url, world):
    wrong = []
    for side in _sides(url):
        path, obj = build(url, world, side)
        for role in ROLES:
            user = world.users[role]
            response = _client(world, role).get(path)
            status, location = response.status_code, response.get("Location", "")
            what = f"GET {path} as {role}: {status}"
            if user is None or not user.is_staff:
                if not _login_page_as_expected(url, path, status, location):
                    wrong.append(f"{what} {location}, expected a login page")
                continue
            _check_staff_status(url, user, obj, status, what, wrong)
            _check_other_jobcentre_hidden(world, url, role, side, path, obj, what, wrong)
            _assert_no_leak(world, role, response, wrong, f"GET {path}")
    assert not wrong, "\n".join(wrong)


def test_every_registered_admin_model_has_an_example_object():
    missing = sorted(set(_admin_models().values()) - set(ADMIN_OBJECTS))
    assert not missing, (
        f"Add example objects for {missing} to ADMIN_OBJECTS in tests/test_authorization.py"
    )


def test_the_matrix_covers_the_url_configuration():
    names = {u.name for u in ALL_URLS}
    assert {"registrations:detail", "admin:index", "healthz", "login"} <= names
    assert set(OURS) <= names, f"OURS lists URLs that no longer exist: {set(OURS) - names}"
    assert set(OURS) >= PUBLIC
