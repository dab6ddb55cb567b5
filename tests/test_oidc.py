"""Sign-in through a municipality's identity provider, against a real OpenID provider
(oidc-provider on 127.0.0.1, tests/oidc_provider.mjs): APOC's views with the test client,
the provider's pages with requests, and every token signed and checked for real."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from apoc.accounts.models import IdentityProvider, Jobcentre, ProviderJobcentre, RoleMapping
from apoc.accounts.signin import SESSION_ID_TOKEN
from apoc.audit.models import Action, AuditEntry
from tests.factories import CaseworkerFactory
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, SECRET_ENV, OidcProvider, UserAgent

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/login/oidc/kk/callback/"


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory):
    with OidcProvider(
        redirect_uris=[CALLBACK],
        post_logout_redirect_uris=["http://testserver/login/"],
        folder=tmp_path_factory.mktemp("oidc"),
    ) as server:
        yield server


@pytest.fixture(autouse=True)
def _normal_tokens(request):
    yield
    if "oidc_server" in request.fixturenames:
        request.getfixturevalue("oidc_server").id_tokens("normal")


def make_provider(issuer: str, **fields) -> IdentityProvider:
    provider = IdentityProvider.objects.create(
        name="Københavns Kommune",
        slug="kk",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret_env=SECRET_ENV,
        scopes="openid profile email groups",
        claim_municipality="municipality_code",
        **fields,
    )
    for code in ("101", "147"):  # København and Frederiksberg
        ProviderJobcentre.objects.create(
            provider=provider, jobcentre=Jobcentre.objects.get(municipality_code=code)
        )
    for value, role in (
        ("apoc-sagsbehandler", "sagsbehandler"),
        ("apoc-teamleder", "teamleder"),
        ("apoc-landsadministrator", "landsadministrator"),
    ):
        RoleMapping.objects.create(provider=provider, claim_value=value, role=role)
    return provider


@pytest.fixture
def provider(oidc_server, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    return make_provider(oidc_server.issuer)


def start(client: Client, kommune: str = "101") -> str:
    """APOC's redirect to the provider."""
    response = client.get(f"/login/?kommune={kommune}", follow=False)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in(client: Client, login: str, agent: UserAgent | None = None):
    """The whole round: APOC, the provider's login and consent, back to APOC."""
    authorization = start(client)
    back = (agent or UserAgent()).sign_in(authorization, login)
    assert back.startswith(CALLBACK)
    return client.get(local(back)), back


def signed_in_user(client: Client):
    return get_user_model().objects.filter(pk=client.session.get("_auth_user_id")).first()


def refusals() -> list[dict]:
    return list(
        AuditEntry.objects.filter(action=Action.SIGN_IN_REFUSED).values_list("criteria", flat=True)
    )


# --- Signed in -------------------------------------------------------------------------------


def test_the_authorization_request_uses_pkce_state_and_nonce(client, provider):
    query = parse_qs(urlsplit(start(client)).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [CALLBACK]
    assert query["state"][0] and query["nonce"][0] and query["code_challenge"][0]


def test_a_caseworker_of_jobcentre_a_signs_in_and_gets_an_account(client, provider):
    response, _ = sign_in(client, "sara")

    assert response.status_code == 302 and response["Location"] == "/"
    user = signed_in_user(client)
    assert user.username == "sara@kk.dk@kk"
    assert (user.first_name, user.last_name, user.email) == ("Sara", "Sagsbehandler", "sara@kk.dk")
    assert user.jobcentre.municipality_code == "101"
    assert list(user.groups.values_list("name", flat=True)) == ["sagsbehandler"]
    assert not user.is_staff and not user.has_usable_password()
    assert (user.identity_provider, user.external_id) == (provider, "sara")
    assert client.get("/").status_code == 200
    assert client.session[SESSION_ID_TOKEN]
    actions = list(AuditEntry.objects.filter(user=user).values_list("action", "criteria"))
    assert (Action.SIGN_IN, {"via": "kk"}) in actions
    role = AuditEntry.objects.get(action=Action.ROLE_CHANGE, subject_id=user.pk)
    assert role.criteria == {"from": [], "to": ["sagsbehandler"], "via": "kk"}


def test_each_sign_in_brings_the_account_up_to_date(client, provider):
    sign_in(client, "sara")
    user = signed_in_user(client)
    user.first_name = "Gammelt navn"
    user.jobcentre = Jobcentre.objects.get(municipality_code="147")
    user.save()
    user.groups.set([])
    client.logout()

    sign_in(Client(), "sara")

    user.refresh_from_db()
    assert user.first_name == "Sara" and user.jobcentre.municipality_code == "101"
    assert list(user.groups.values_list("name", flat=True)) == ["sagsbehandler"]
    assert get_user_model().objects.filter(identity_provider=provider).count() == 1
    update = AuditEntry.objects.filter(action=Action.ACCOUNT_UPDATE, subject_id=user.pk).first()
    assert update.criteria["first_name"] == {"from": "Gammelt navn", "to": "Sara"}


def test_a_supervisor_signs_in_with_admin_access(client, provider):
    response, _ = sign_in(client, "torben")
    assert response.status_code == 302
    user = signed_in_user(client)
    assert list(user.groups.values_list("name", flat=True)) == ["teamleder"]
    assert user.is_staff and user.jobcentre.municipality_code == "101"
    assert client.get("/admin/").status_code == 200


def test_the_hint_in_the_url_and_the_next_page_are_kept(client, provider):
    response = client.get("/login/?kommune=101&next=/soeg/")
    assert response["Location"] == "/login/kommune/?kommune=101&next=%2Fsoeg%2F"
    authorization = client.get(response["Location"])["Location"]
    back = UserAgent().sign_in(authorization, "sara")
    assert client.get(local(back))["Location"] == "/soeg/"


def test_the_login_page_offers_the_municipalities_with_a_provider(client, provider):
    page = client.get("/login/").content.decode()
    assert "Log ind via din kommune" in page
    assert '<option value="101">København</option>' in page
    assert '<option value="461">' not in page


# --- Refused ---------------------------------------------------------------------------------


def test_a_user_whose_claims_give_no_role_is_signed_in_to_nothing(client, provider):
    response, _ = sign_in(client, "nora")

    assert response.status_code == 403
    page = response.content.decode()
    assert "Du er ikke logget ind" in page and "ingen rolle i APOC" in page
    assert signed_in_user(client) is None
    assert not get_user_model().objects.filter(external_id="nora").exists()
    assert refusals() == [
        {"via": "kk", "reason": "signin.no_role", "sub": "nora", "username": "nora@kk.dk"}
    ]


def test_an_account_whose_claims_no_longer_give_a_role_loses_it(client, provider):
    nora = CaseworkerFactory(
        username="nora@kk.dk@kk",
        jobcentre=Jobcentre.objects.get(municipality_code="101"),
        identity_provider=provider,
        external_id="nora",
    )
    response, _ = sign_in(client, "nora")

    assert response.status_code == 403 and signed_in_user(client) is None
    assert not nora.groups.exists()
    role = AuditEntry.objects.get(action=Action.ROLE_CHANGE, subject_id=nora.pk)
    assert role.criteria == {"from": ["sagsbehandler"], "to": [], "via": "kk"}


def test_a_token_signed_by_another_key_is_refused(client, provider, oidc_server):
    oidc_server.id_tokens("other-key")
    response, _ = sign_in(client, "sara")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert not get_user_model().objects.filter(identity_provider=provider).exists()
    assert refusals()[0]["reason"] == "signin.bad_signature"


def test_a_token_for_another_audience_is_refused(client, provider, oidc_server):
    oidc_server.id_tokens("wrong-audience")
    response, _ = sign_in(client, "sara")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert refusals()[0]["reason"] == "signin.invalid_claim"


def test_an_expired_token_is_refused(client, provider, oidc_server):
    oidc_server.id_tokens("expired")
    response, _ = sign_in(client, "sara")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert refusals()[0]["reason"] == "signin.expired_token"


def test_a_token_with_another_sessions_nonce_is_refused(client, provider):
    authorization = start(client)
    session = client.session
    key = next(k for k in session.keys() if k.startswith("_state_"))  # noqa: SIM118
    state = session[key]
    state["data"]["nonce"] = "another-nonce"
    session[key] = state
    session.save()
    back = UserAgent().sign_in(authorization, "sara")
    response = client.get(local(back))
    assert response.status_code == 403 and signed_in_user(client) is None
    assert refusals()[0]["reason"] == "signin.invalid_claim"


def test_a_replayed_state_is_refused(client, provider):
    response, back = sign_in(client, "sara")
    assert response.status_code == 302

    again = client.get(local(back))  # the same answer, a second time
    elsewhere = Client().get(local(back))  # in another browser

    assert again.status_code == 403 and elsewhere.status_code == 403
    assert "udløbet eller allerede brugt" in elsewhere.content.decode()
    assert signed_in_user(Client()) is None
    assert [r["reason"] for r in refusals()] == ["signin.state", "signin.state"]


def test_provider_a_cannot_sign_its_user_in_to_jobcentre_b(client, provider):
    response, _ = sign_in(client, "bent")  # claims Odense (461), which kk does not serve
    assert response.status_code == 403
    assert "kommunekode 461" in response.content.decode()
    assert signed_in_user(client) is None
    assert not get_user_model().objects.filter(external_id="bent").exists()
    assert refusals()[0]["reason"] == "signin.jobcentre_not_served"


def test_no_provider_grants_landsadministrator_unless_configured(client, provider):
    response, _ = sign_in(client, "ane")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert refusals()[0]["reason"] == "signin.no_role"


def test_a_provider_trusted_with_it_grants_landsadministrator(client, provider):
    provider.may_grant_national_admin = True
    provider.save()
    response, _ = sign_in(client, "ane")
    user = signed_in_user(client)
    assert response.status_code == 302 and user is not None
    assert list(user.groups.values_list("name", flat=True)) == ["landsadministrator"]
    assert user.jobcentre is None and user.is_staff


def test_a_deactivated_account_stays_out(client, provider):
    sign_in(Client(), "sara")
    get_user_model().objects.filter(external_id="sara").update(is_active=False)
    response, _ = sign_in(client, "sara")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert "deaktiveret" in response.content.decode()


def test_a_discovery_document_naming_another_issuer_is_refused(client, provider):
    provider.issuer += "/"  # the provider calls itself without the slash
    provider.save()
    response = client.get("/login/kommune/?kommune=101")
    assert response.status_code == 403 and "Du er ikke logget ind" in response.content.decode()


def test_an_unreachable_provider_is_a_danish_page(client, oidc_server, monkeypatch):
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    make_provider("http://127.0.0.1:9")  # the discard port: nothing answers
    response = client.get("/login/kommune/?kommune=101")
    assert response.status_code == 403
    assert "svarer ikke lige nu" in response.content.decode()


def test_a_municipality_without_provider_is_a_danish_page(client, provider):
    response = client.get("/login/kommune/?kommune=461")
    assert response.status_code == 403
    assert "kommunekode 461" in response.content.decode()


def test_an_unknown_provider_callback_is_not_found(client, provider):
    assert client.get("/login/oidc/nobody/callback/?state=x&code=y").status_code == 404


def test_an_error_from_the_provider_is_refused(client, provider):
    start(client)
    response = client.get("/login/oidc/kk/callback/?error=access_denied&state=x")
    assert response.status_code == 403 and signed_in_user(client) is None
    assert refusals()[0]["reason"] == "signin.provider_error"


# --- Signing out ---------------------------------------------------------------------------


def test_sign_out_ends_both_sessions(client, provider):
    agent = UserAgent()
    sign_in(client, "sara", agent)
    # While signed in at the provider, a second round goes straight back to APOC.
    assert isinstance(agent.follow(start(Client())), str)

    response = client.post("/logout/")

    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(provider.issuer)
    query = parse_qs(urlsplit(end_session).query)
    assert query["client_id"] == [CLIENT_ID] and query["id_token_hint"][0]
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"]
    assert signed_in_user(client) is None
    assert client.get("/").status_code == 302
    back = agent.confirm_sign_out(end_session)
    assert back.startswith("http://testserver/login/")
    # Signed out at the provider too: the next round asks for the login again.
    page = agent.follow(start(Client()))
    assert not isinstance(page, str) and 'name="login"' in page.text
    sign_out = AuditEntry.objects.get(action=Action.SIGN_OUT)
    assert sign_out.criteria == {"via": "kk"} and sign_out.username == "sara@kk.dk@kk"
