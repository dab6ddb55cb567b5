"""In Chromium, through a real OpenID provider (tests/oidc_provider.mjs): APOC's login page,
the redirect, the provider's login and consent pages, back to APOC signed in; then signed
out at both ends."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from apoc.accounts.models import IdentityProvider, ProviderJobcentre, RoleMapping
from apoc.audit.models import Action, AuditEntry
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, SECRET_ENV, OidcProvider

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def oidc_server(live_server, tmp_path):
    with OidcProvider(
        redirect_uris=[f"{live_server.url}/login/oidc/kk/callback/"],
        post_logout_redirect_uris=[f"{live_server.url}/login/"],
        folder=tmp_path,
    ) as server:
        yield server


@pytest.fixture
def provider(oidc_server, monkeypatch, copenhagen):
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    provider = IdentityProvider.objects.create(
        name="Københavns Kommune",
        slug="kk",
        issuer=oidc_server.issuer,
        client_id=CLIENT_ID,
        client_secret_env=SECRET_ENV,
        scopes="openid profile email groups",
        claim_municipality="municipality_code",
    )
    ProviderJobcentre.objects.create(provider=provider, jobcentre=copenhagen)
    RoleMapping.objects.create(
        provider=provider, claim_value="apoc-sagsbehandler", role="sagsbehandler"
    )
    return provider


def test_a_caseworker_signs_in_through_the_provider_and_out_at_both_ends(
    page, shots, provider, oidc_server, live_server
):
    page.goto("/login/")
    shots(page, "login-page")
    shots.axe(page, "login-page")
    page.get_by_label("Kommune", exact=True).select_option("101")
    page.get_by_role("button", name="Log ind via kommunen").click()

    # The provider's own login page, then its consent page.
    expect(page).to_have_url(re.compile(rf"^{re.escape(oidc_server.issuer)}/interaction/"))
    shots(page, "provider-login")
    page.locator("input[name=login]").fill("sara")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    shots(page, "provider-consent")
    page.get_by_role("button", name="Continue").click()

    # Back at APOC, signed in as the account the provider described.
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("Sara Sagsbehandler")).to_be_visible()
    shots(page, "signed-in")
    user = get_user_model().objects.get(identity_provider=provider, external_id="sara")
    assert user.jobcentre.municipality_code == "101"
    assert AuditEntry.objects.filter(action=Action.SIGN_IN, user=user).exists()

    # Out of APOC, and out at the provider, which asks first.
    page.get_by_role("button", name="Log ud").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(oidc_server.issuer)}/session/end"))
    shots(page, "provider-sign-out")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server.url)}/login/"))
    expect(page.get_by_role("heading", name="Log ind", exact=True)).to_be_visible()

    # The provider asks for the login again: its session ended too.
    page.get_by_label("Kommune", exact=True).select_option("101")
    page.get_by_role("button", name="Log ind via kommunen").click()
    expect(page.locator("input[name=login]")).to_be_visible()
    shots(page, "provider-login-again")


def test_a_user_without_a_role_sees_a_danish_page(page, shots, provider, oidc_server):
    page.goto("/login/?kommune=101")
    page.locator("input[name=login]").fill("nora")
    page.locator("input[name=password]").fill("any")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Du er ikke logget ind")).to_be_visible()
    expect(page.get_by_text("ingen rolle i APOC")).to_be_visible()
    shots(page, "refused")
    shots.axe(page, "refused")
