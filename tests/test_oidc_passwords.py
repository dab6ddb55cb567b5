"""Local passwords once a provider serves a jobcentre, the system checks of sign-in, the
providers' admin and the pure claim rules. No provider runs here: none is asked."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.urls import reverse

from apoc.accounts import claims as rules
from apoc.accounts.checks import password_login, production_providers, provider_secrets
from apoc.accounts.models import IdentityProvider, Jobcentre, ProviderJobcentre, RoleMapping
from apoc.audit.models import Action, AuditEntry
from tests.factories import CaseworkerFactory, NationalAdminFactory

PASSWORD = "korrekt-hest-batteri-klips"  # tests.factories.UserFactory's

pytestmark = pytest.mark.django_db


def provider_for(*codes: str, **fields) -> IdentityProvider:
    provider = IdentityProvider.objects.create(
        name=fields.pop("name", "Kommunens login"),
        slug=fields.pop("slug", "kk"),
        issuer=fields.pop("issuer", "https://login.example.dk"),
        client_id="apoc",
        **fields,
    )
    for code in codes:
        ProviderJobcentre.objects.create(
            provider=provider, jobcentre=Jobcentre.objects.get(municipality_code=code)
        )
    return provider


def jobcentre(code: str) -> Jobcentre:
    return Jobcentre.objects.get(municipality_code=code)


def post_login(client, username: str):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


# --- Local passwords -----------------------------------------------------------------------


def test_without_a_provider_passwords_work_as_before(client):
    CaseworkerFactory(username="sara", jobcentre=jobcentre("101"))
    response = post_login(client, "sara")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=Action.SIGN_IN)
    assert entry.criteria == {"via": "password"} and entry.username == "sara"


def test_a_provider_for_the_jobcentre_turns_its_passwords_off(client):
    user = CaseworkerFactory(username="sara", jobcentre=jobcentre("101"))
    provider_for("101")

    response = post_login(client, "sara")

    assert response.status_code == 200
    assert "via din kommunes login" in response.content.decode()
    assert "_auth_user_id" not in client.session
    refusal = AuditEntry.objects.get(action=Action.SIGN_IN_REFUSED)
    assert refusal.subject_id == user.pk
    assert refusal.criteria == {"via": "password", "reason": "password_login_off"}


def test_a_wrong_password_says_nothing_about_the_provider(client):
    CaseworkerFactory(username="sara", jobcentre=jobcentre("101"))
    provider_for("101")
    response = client.post(reverse("login"), {"username": "sara", "password": "forkert"})
    assert "via din kommunes login" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=Action.SIGN_IN_REFUSED).exists()


def test_other_jobcentres_keep_their_passwords(client):
    CaseworkerFactory(username="ole", jobcentre=jobcentre("461"))
    provider_for("101")
    assert post_login(client, "ole").status_code == 302


def test_an_inactive_provider_turns_nothing_off(client):
    CaseworkerFactory(username="sara", jobcentre=jobcentre("101"))
    provider_for("101", is_active=False)
    assert post_login(client, "sara").status_code == 302


def test_a_break_glass_account_keeps_its_password(client):
    CaseworkerFactory(username="sara", jobcentre=jobcentre("101"), break_glass=True)
    provider_for("101")
    assert post_login(client, "sara").status_code == 302


def test_the_setting_turns_passwords_on_for_everybody(client, settings):
    settings.APOC_PASSWORD_LOGIN = True
    CaseworkerFactory(username="sara", jobcentre=jobcentre("101"))
    provider_for("101")
    assert post_login(client, "sara").status_code == 302


def test_national_administrators_keep_passwords_until_a_provider_may_grant_their_role(client):
    NationalAdminFactory(username="lone")
    provider = provider_for("101")
    assert post_login(client, "lone").status_code == 302
    client.logout()
    provider.may_grant_national_admin = True
    provider.save()
    assert post_login(client, "lone").status_code == 200


def test_an_account_a_provider_keeps_never_signs_in_with_a_password(client):
    provider = provider_for("461", is_active=False)
    user = CaseworkerFactory(username="kim", jobcentre=jobcentre("461"))
    user.identity_provider = provider
    user.external_id = "kim"
    user.save()
    assert post_login(client, "kim").status_code == 200


def test_the_admin_login_refuses_the_same_way(client):
    from tests.factories import SupervisorFactory

    SupervisorFactory(username="torben", jobcentre=jobcentre("101"))
    provider_for("101")
    response = client.post(
        reverse("admin:login"), {"username": "torben", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200
    assert "via din kommunes login" in response.content.decode()


def test_the_login_lock_still_protects_the_password_form(client, settings):
    settings.AXES_ENABLED = True
    CaseworkerFactory(username="sara", jobcentre=jobcentre("101"), break_glass=True)
    provider_for("101")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "sara", "password": "forkert"})
    response = post_login(client, "sara")
    assert response.status_code == 429


def test_without_a_provider_the_login_page_is_the_password_form(client):
    page = client.get(reverse("login")).content.decode()
    assert "Log ind via din kommune" not in page and 'name="password"' in page


def test_a_hint_without_a_provider_is_a_danish_page(client):
    response = client.get("/login/?kommune=101", follow=True)
    assert response.status_code == 403
    assert "ikke sat kommunalt login op" in response.content.decode()


# --- System checks -------------------------------------------------------------------------


def ids(messages: list[checks.CheckMessage]) -> list[str]:
    return [message.id for message in messages]


def test_no_provider_no_warning(settings):
    settings.APOC_PASSWORD_LOGIN = True
    assert password_login() == [] and production_providers() == [] and provider_secrets() == []


def test_passwords_on_for_everybody_is_a_warning(settings):
    provider_for("101")
    assert password_login() == []
    settings.APOC_PASSWORD_LOGIN = True
    assert ids(password_login()) == ["accounts.W001"]
    assert password_login()[0].level == checks.WARNING


def test_break_glass_accounts_are_named(settings):
    provider_for("101")
    CaseworkerFactory(username="nød", break_glass=True)
    [message] = password_login()
    assert message.id == "accounts.I001" and "nød" in message.msg


def test_a_missing_secret_is_a_warning(monkeypatch):
    provider_for("101", client_secret_env="APOC_OIDC_KK_SECRET")
    monkeypatch.delenv("APOC_OIDC_KK_SECRET", raising=False)
    assert ids(provider_secrets()) == ["accounts.W002"]
    monkeypatch.setenv("APOC_OIDC_KK_SECRET", "hemmelig")
    assert provider_secrets() == []


def test_deploy_warns_about_plain_http_and_no_pkce():
    provider_for("101")
    assert production_providers() == []
    provider_for("461", slug="odense", name="Odense", issuer="http://idp.odense.dk")
    provider_for("751", slug="aarhus", name="Aarhus", use_pkce=False)
    assert sorted(ids(production_providers())) == ["accounts.W010", "accounts.W011"]


def test_check_deploy_runs_them(settings):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    provider_for("101", issuer="http://idp.kk.dk")
    with pytest.raises(SystemCheckError) as error:
        call_command("check", "--deploy", "--fail-level", "WARNING", stdout=StringIO())
    assert "accounts.W010" in str(error.value)


# --- Admin -----------------------------------------------------------------------------------


def _provider_post(**overrides) -> dict:
    data = {
        "name": "Københavns Kommune",
        "slug": "kk",
        "is_active": "on",
        "issuer": "https://login.kk.dk",
        "client_id": "apoc",
        "client_secret_env": "APOC_OIDC_KK_SECRET",
        "scopes": "openid profile email",
        "use_pkce": "on",
        "claim_username": "preferred_username",
        "claim_first_name": "given_name",
        "claim_last_name": "family_name",
        "claim_email": "email",
        "claim_groups": "groups",
        "claim_municipality": "",
        "served-TOTAL_FORMS": "1",
        "served-INITIAL_FORMS": "0",
        "served-0-jobcentre": str(jobcentre("101").pk),
        "role_mappings-TOTAL_FORMS": "1",
        "role_mappings-INITIAL_FORMS": "0",
        "role_mappings-0-claim_value": "apoc-admins",
        "role_mappings-0-role": "teamleder",
    }
    data.update(overrides)
    return data


def test_a_national_administrator_sets_up_a_provider(client):
    client.force_login(NationalAdminFactory())
    response = client.post(reverse("admin:accounts_identityprovider_add"), _provider_post())
    assert response.status_code == 302, response.content.decode()[:3000]
    provider = IdentityProvider.objects.get()
    assert list(provider.jobcentres.values_list("municipality_code", flat=True)) == ["101"]
    assert list(provider.role_mappings.values_list("claim_value", "role")) == [
        ("apoc-admins", "teamleder")
    ]


def test_the_secret_itself_is_refused(client):
    client.force_login(NationalAdminFactory())
    response = client.post(
        reverse("admin:accounts_identityprovider_add"),
        _provider_post(client_secret_env="xY7-secret-value!"),
    )
    assert response.status_code == 200 and not IdentityProvider.objects.exists()
    assert "navnet på en miljøvariabel" in response.content.decode()


def test_landsadministrator_needs_the_explicit_flag(client):
    client.force_login(NationalAdminFactory())
    url = reverse("admin:accounts_identityprovider_add")
    response = client.post(url, _provider_post(**{"role_mappings-0-role": "landsadministrator"}))
    assert response.status_code == 200 and not IdentityProvider.objects.exists()
    response = client.post(
        url,
        _provider_post(
            may_grant_national_admin="on", **{"role_mappings-0-role": "landsadministrator"}
        ),
    )
    assert response.status_code == 302


def test_one_provider_per_jobcentre(client):
    provider_for("101")
    client.force_login(NationalAdminFactory())
    response = client.post(
        reverse("admin:accounts_identityprovider_add"), _provider_post(slug="andet", name="Andet")
    )
    assert response.status_code == 200 and IdentityProvider.objects.count() == 1


def test_a_supervisor_cannot_see_the_providers(client):
    from tests.factories import SupervisorFactory

    client.force_login(SupervisorFactory())
    assert client.get(reverse("admin:accounts_identityprovider_changelist")).status_code == 403


# --- The claim rules -------------------------------------------------------------------------

MAPPING = {"a": "sagsbehandler", "b": "teamleder", "c": "landsadministrator"}


@pytest.mark.parametrize(
    ("groups", "may_grant", "role"),
    [
        (["a"], False, "sagsbehandler"),
        (["a", "b"], False, "teamleder"),
        (["c"], False, None),
        (["a", "c"], False, "sagsbehandler"),
        (["a", "c"], True, "landsadministrator"),
        (["x"], True, None),
        ([], True, None),
    ],
)
def test_the_highest_mapped_role_counts(groups, may_grant, role):
    assert rules.role_from_groups(groups, MAPPING, may_grant_national_admin=may_grant) == role


def test_groups_may_be_a_list_or_a_string():
    names = rules.ClaimNames(groups="roles")
    assert rules.read_identity({"sub": "1", "roles": "a b,c"}, names).groups == ("a", "b", "c")
    assert rules.read_identity({"sub": "1", "roles": ["b", "a"]}, names).groups == ("a", "b")
    assert rules.read_identity({"sub": "1", "roles": 7}, names).groups == ()


def test_an_identity_without_sub_is_refused():
    with pytest.raises(rules.MissingClaim):
        rules.read_identity({"preferred_username": "x"}, rules.ClaimNames())


def test_the_jobcentre_comes_from_the_served_ones_only():
    identity = rules.read_identity(
        {"sub": "1", "kommune": "461"}, rules.ClaimNames(municipality="kommune")
    )
    with pytest.raises(rules.JobcentreNotServed):
        rules.jobcentre_code(identity, served=["101"], claim_configured=True, provider="P")
    assert rules.jobcentre_code(identity, served=["461"], claim_configured=True, provider="P")
    with pytest.raises(rules.NoJobcentreClaim):  # two jobcentres and no claim to choose
        rules.jobcentre_code(identity, served=["101", "147"], claim_configured=False, provider="P")
    assert rules.jobcentre_code(identity, served=["101"], claim_configured=False, provider="P")


def test_user_names_are_valid_and_carry_the_provider():
    identity = rules.read_identity({"sub": "x", "upn": "Ås Ø/ø@kk.dk"}, rules.ClaimNames("upn"))
    name = rules.username_for(identity, "kk")
    assert name == "Ås_Ø_ø@kk.dk@kk"
    get_user_model().username_validator(name)
    assert (
        len(
            rules.username_for(
                identity.__class__(**{**identity.__dict__, "username": "a" * 300}), "kk"
            )
        )
        == 150
    )


def test_role_mappings_are_unique_per_provider():
    from django.db import IntegrityError

    provider = provider_for("101")
    RoleMapping.objects.create(provider=provider, claim_value="g", role="sagsbehandler")
    with pytest.raises(IntegrityError):
        RoleMapping.objects.create(provider=provider, claim_value="g", role="teamleder")
