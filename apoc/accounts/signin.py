"""Sign-in: through a municipality's identity provider (OpenID Connect), or with a local
password where that is still allowed.

**OpenID Connect** (Authlib's client, decision 21). The authorization code flow
with PKCE (S256), a ``state`` and a ``nonce`` kept in the session under the
provider's own key, so a state is good once and at its own provider's callback
only. The provider's endpoints and signing keys come from its discovery
document and JWKS, fetched at each sign-in (a rotated key is picked up at once).
The ID token must be signed by one of those keys with an asymmetric algorithm,
and its ``iss`` (the configured issuer, which the discovery document must also
name), ``aud`` (the client id), ``exp``, ``iat`` and ``nonce`` must hold.

**Accounts** are found by provider and ``sub``, created at the first sign-in and
updated at each: name, e-mail, jobcentre, role (:func:`sync_account`). The role
comes from the provider's group mapping (:mod:`apoc.accounts.claims`), and the
jobcentre only from those the provider serves. Claims that give no role take the
account's role away and sign in nobody.

**Local passwords** (:func:`password_login_allowed`) remain for a break-glass
administrator: off for anybody whose jobcentre a provider serves, unless the
account has ``break_glass`` or ``APOC_PASSWORD_LOGIN`` is on.

Every sign-in, refusal, sign-out and change of role is in the access log.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from joserfc.errors import JoseError

from apoc.audit.models import Action
from apoc.audit.services import AuditContext, audit_record, client_ip
from apoc.exceptions import gettext_noop

from . import claims as rules
from .models import IdentityProvider, Jobcentre
from .roles import NATIONAL_ADMIN, ROLE_PERMISSIONS, SUPERVISOR

__all__ = [
    "ProviderUnavailable",
    "SignIn",
    "SignInExpired",
    "begin",
    "end_session_url",
    "finish",
    "password_login_allowed",
    "provider_for_municipality",
    "providers_by_municipality",
    "record_password_refusal",
    "record_sign_in",
    "record_sign_out",
    "sync_account",
]

logger = logging.getLogger("apoc.security")

#: Session keys: the provider a user signed in through, its ID token (for the
#: provider's sign-out) and where to go after signing in.
SESSION_PROVIDER = "apoc_signin_provider"
SESSION_ID_TOKEN = "apoc_signin_id_token"  # noqa: S105 - a session key
SESSION_NEXT = "apoc_signin_next"
#: The provider's origin, which the signed-in user's pages let forms go to (sign-out).
SESSION_ORIGIN = "apoc_signin_origin"

#: Signature algorithms an ID token may use: asymmetric only, never "none" or a
#: shared-secret HMAC.
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")  # fmt: skip
#: Seconds of clock difference allowed on ``exp`` and ``iat``.
LEEWAY = 60
#: The backend recorded in the session of a user signed in through a provider.
PROVIDER_BACKEND = "apoc.accounts.backends.IdentityProviderBackend"


class ProviderUnavailable(rules.SignInRefused):
    code = "signin.provider_unavailable"
    template = gettext_noop(
        "Kommunens login (%(provider)s) svarer ikke lige nu. Prøv igen om lidt. Sker det "
        "igen, så kontakt kommunens IT-afdeling."
    )


class SignInExpired(rules.SignInRefused):
    code = "signin.state"
    template = gettext_noop(
        "Login-forsøget er udløbet eller allerede brugt. Start forfra fra APOC's login-side."
    )


class AccountInactive(rules.SignInRefused):
    code = "signin.inactive"
    template = gettext_noop(
        "Din konto i APOC er deaktiveret. Du er ikke logget ind. Kontakt din leder."
    )


class NoProvider(rules.SignInRefused):
    code = "signin.no_provider"
    template = gettext_noop(
        "Der er ikke sat kommunalt login op for kommunekode %(code)s. Kontakt APOC-support."
    )


# --- Which provider, and local passwords ----------------------------------------------------


def providers_by_municipality() -> list[tuple[str, str]]:
    """(kommunekode, municipality) of every jobcentre an active provider serves."""
    return list(
        Jobcentre.objects.filter(identity_providers__is_active=True)
        .order_by("municipality")
        .values_list("municipality_code", "municipality")
        .distinct()
    )


def provider_for_municipality(code: str) -> IdentityProvider:
    """The active provider of the jobcentre with kommunekode ``code``."""
    provider = IdentityProvider.objects.filter(
        is_active=True, jobcentres__municipality_code=code
    ).first()
    if provider is None:
        raise NoProvider(params={"code": code[:3]})
    return provider


def password_login_allowed(user: Any) -> bool:
    """Whether ``user`` may sign in with a local password.

    Never an account a provider keeps. Otherwise yes with ``break_glass`` or
    ``APOC_PASSWORD_LOGIN``; else only while no active provider serves the
    user's jobcentre (for an account without one, a national administrator: while
    no active provider may grant ``landsadministrator``).
    """
    if user.identity_provider_id is not None:
        return False
    if user.break_glass or settings.APOC_PASSWORD_LOGIN:
        return True
    active = IdentityProvider.objects.filter(is_active=True)
    if user.jobcentre_id is None:
        return not active.filter(may_grant_national_admin=True).exists()
    return not active.filter(jobcentres=user.jobcentre_id).exists()


def record_password_refusal(user: Any, ip_address: str | None) -> None:
    """The right password, but local passwords are off for ``user``."""
    audit_record(
        AuditContext(ip_address=ip_address),
        action=Action.SIGN_IN_REFUSED,
        subject=user,
        criteria={"via": "password", "reason": "password_login_off"},
    )


def record_sign_in(user: Any, ip_address: str | None, *, via: str) -> None:
    audit_record(AuditContext.of(user, ip_address), action=Action.SIGN_IN, criteria={"via": via})


def record_sign_out(user: Any, ip_address: str | None, *, via: str) -> None:
    audit_record(AuditContext.of(user, ip_address), action=Action.SIGN_OUT, criteria={"via": via})


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider_origins() -> list[str]:
    """The origins of the active providers, for the login page's ``form-action``."""
    return sorted(
        {
            origin(issuer)
            for issuer in IdentityProvider.objects.filter(is_active=True).values_list(
                "issuer", flat=True
            )
        }
    )


def allow_form_action(response: HttpResponse, origins: list[str]) -> None:
    """Let this response's forms (and their redirects) go to ``origins`` too (django-csp)."""
    update = dict(getattr(response, "_csp_update", None) or {})
    update["form-action"] = [*update.get("form-action", []), *origins]
    response._csp_update = update


# --- The provider's client (Authlib) ----------------------------------------------------------


def client_secret(provider: IdentityProvider) -> str | None:
    """The secret from the environment variable the provider names (None: a public client)."""
    if not provider.client_secret_env:
        return None
    return os.environ.get(provider.client_secret_env) or None


def _client(provider: IdentityProvider) -> DjangoOAuth2App:
    name = f"apoc-signin-{provider.pk}"
    client_kwargs: dict[str, Any] = {
        "scope": provider.scopes,
        "default_timeout": settings.OIDC_TIMEOUT,
    }
    if provider.use_pkce:
        client_kwargs["code_challenge_method"] = "S256"
    secret = client_secret(provider)
    if secret is None:
        client_kwargs["token_endpoint_auth_method"] = "none"  # noqa: S105 - PKCE alone
    return DjangoOAuth2App(
        DjangoIntegration(name),
        name=name,
        client_id=provider.client_id,
        client_secret=secret,
        server_metadata_url=provider.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs=client_kwargs,
    )


def _metadata(client: DjangoOAuth2App, provider: IdentityProvider) -> dict[str, Any]:
    """The discovery document, which must name the configured issuer (no mix-up)."""
    metadata = client.load_server_metadata()
    if metadata.get("issuer") != provider.issuer:
        logger.warning(
            "provider %s: discovery names issuer %r, configured %r",
            provider.slug,
            metadata.get("issuer"),
            provider.issuer,
        )
        raise rules.SignInRefused()
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    metadata["id_token_signing_alg_values_supported"] = [
        alg for alg in offered if alg in ASYMMETRIC_ALGORITHMS
    ]
    return metadata


_NETWORK_ERRORS = (requests.RequestException, ValueError)


def begin(request: HttpRequest, provider: IdentityProvider, *, redirect_uri: str) -> str:
    """The provider's authorization URL; its state, nonce and PKCE verifier go into the
    session under the provider's own key."""
    client = _client(provider)
    try:
        _metadata(client, provider)
        result = client.create_authorization_url(redirect_uri)
    except _NETWORK_ERRORS as error:
        logger.warning("provider %s unreachable: %s", provider.slug, error)
        raise ProviderUnavailable(params={"provider": provider.name}) from error
    client.save_authorize_data(request, redirect_uri=redirect_uri, **result)
    return result["url"]


@dataclass(frozen=True)
class SignIn:
    user: Any
    id_token: str


def finish(request: HttpRequest, provider: IdentityProvider) -> SignIn:
    """Check the provider's answer at the callback and sign the account in or refuse.

    Raises :class:`apoc.accounts.claims.SignInRefused` (a domain error) for any
    refusal, which is then in the access log.
    """
    ip_address = client_ip(request)
    try:
        claims, id_token = _validated_claims(request, provider)
        user = sync_account(provider, claims, ip_address=ip_address)
    except rules.SignInRefused as refusal:
        audit_record(
            AuditContext(ip_address=ip_address),
            action=Action.SIGN_IN_REFUSED,
            subject=getattr(refusal, "user", None),
            criteria={"via": provider.slug, "reason": refusal.code, **_who(refusal)},
        )
        raise
    record_sign_in(user, ip_address, via=provider.slug)
    return SignIn(user=user, id_token=id_token)


def _who(refusal: rules.SignInRefused) -> dict[str, str]:
    identity = getattr(refusal, "identity", None)
    return {"sub": identity.sub, "username": identity.username} if identity else {}


def _validated_claims(request: HttpRequest, provider: IdentityProvider) -> tuple[dict, str]:
    client = _client(provider)
    if request.GET.get("error"):
        logger.info(
            "provider %s answered %s: %s",
            provider.slug,
            request.GET.get("error")[:100],
            request.GET.get("error_description", "")[:200],
        )
        raise rules.SignInRefused(code="signin.provider_error")
    state = request.GET.get("state", "")
    state_data = client.framework.get_state_data(request.session, state) if state else None
    if state:
        client.framework.clear_state_data(request.session, state)
    if not state_data or not state_data.get("nonce") or not request.GET.get("code"):
        raise SignInExpired()
    try:
        _metadata(client, provider)
        token = client.fetch_access_token(
            redirect_uri=state_data.get("redirect_uri"),
            code=request.GET["code"],
            **(
                {"code_verifier": state_data["code_verifier"]}
                if "code_verifier" in state_data
                else {}
            ),
        )
        if "id_token" not in token:
            raise rules.SignInRefused(code="signin.no_id_token")
        claims = client.parse_id_token(
            token,
            nonce=state_data["nonce"],
            claims_options={
                "iss": {"essential": True, "value": provider.issuer},
                # Authlib checks the audience only when told to (and azp itself).
                "aud": {"essential": True, "value": provider.client_id},
                "exp": {"essential": True},
                "iat": {"essential": True},
                "sub": {"essential": True},
                "nonce": {"essential": True, "value": state_data["nonce"]},
            },
            leeway=LEEWAY,
        )
    except (AuthlibBaseError, JoseError) as error:
        logger.warning("provider %s: sign-in refused: %s", provider.slug, error)
        raise rules.SignInRefused(code=f"signin.{_error_name(error)}") from error
    except _NETWORK_ERRORS as error:
        logger.warning("provider %s unreachable: %s", provider.slug, error)
        raise ProviderUnavailable(params={"provider": provider.name}) from error
    return dict(claims), token["id_token"]


def _error_name(error: Exception) -> str:
    name = getattr(error, "error", None) or type(error).__name__
    return str(name)[:40]


def end_session_url(
    provider: IdentityProvider, id_token: str | None, *, post_logout_redirect_uri: str
) -> str | None:
    """Where to sign out at the provider too (RP-initiated logout), or None when it offers no
    ``end_session_endpoint`` or cannot be reached."""
    client = _client(provider)
    try:
        metadata = _metadata(client, provider)
    except (rules.SignInRefused, *_NETWORK_ERRORS) as error:
        logger.warning("provider %s: no sign-out there: %s", provider.slug, error)
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return client.create_logout_url(
        post_logout_redirect_uri=post_logout_redirect_uri,
        id_token_hint=id_token,
        client_id=provider.client_id,
    )["url"]


# --- The account ---------------------------------------------------------------------------


def _names(provider: IdentityProvider) -> rules.ClaimNames:
    return rules.ClaimNames(
        username=provider.claim_username or "sub",
        first_name=provider.claim_first_name,
        last_name=provider.claim_last_name,
        email=provider.claim_email,
        groups=provider.claim_groups,
        municipality=provider.claim_municipality,
    )


def sync_account(
    provider: IdentityProvider, claims: dict[str, Any], *, ip_address: str | None = None
) -> Any:
    """The account for these validated claims, created or brought up to date.

    Raises a :class:`apoc.accounts.claims.SignInRefused` when the claims give no role
    (the account, if any, loses its role), a jobcentre the provider does not serve, or
    the account was deactivated in APOC.
    """
    identity = rules.read_identity(claims, _names(provider))
    mapping = dict(provider.role_mappings.values_list("claim_value", "role"))
    role = rules.role_from_groups(
        identity.groups, mapping, may_grant_national_admin=provider.may_grant_national_admin
    )
    with transaction.atomic():
        user, refusal = _sync(provider, identity, role, ip_address=ip_address)
    if refusal is not None:  # after the commit: a role taken away stays taken away
        refusal.identity = identity
        refusal.user = user
        raise refusal
    return user


def _sync(
    provider: IdentityProvider,
    identity: rules.Identity,
    role: str | None,
    *,
    ip_address: str | None,
) -> tuple[Any, rules.SignInRefused | None]:
    user = (
        get_user_model()
        .objects.select_for_update(no_key=True)
        .filter(identity_provider=provider, external_id=identity.sub)
        .first()
    )
    if role is None:
        if user is not None:
            _set_role(user, None, provider=provider, ip_address=ip_address)
        return user, rules.NoRole(params={"provider": provider.name})
    try:
        jobcentre = _jobcentre(provider, identity, role)
    except rules.SignInRefused as error:
        return user, error
    if user is not None and not user.is_active:
        return user, AccountInactive()
    if user is None:
        user = _create(provider, identity, jobcentre, ip_address=ip_address)
    else:
        _update(user, identity, jobcentre, provider=provider, ip_address=ip_address)
    _set_role(user, role, provider=provider, ip_address=ip_address)
    return user, None


def _jobcentre(provider: IdentityProvider, identity: rules.Identity, role: str) -> Jobcentre | None:
    if role == NATIONAL_ADMIN:
        return None  # a national administrator belongs to no jobcentre
    served = list(provider.jobcentres.values_list("municipality_code", flat=True))
    code = rules.jobcentre_code(
        identity,
        served=served,
        claim_configured=bool(provider.claim_municipality),
        provider=provider.name,
    )
    return provider.jobcentres.get(municipality_code=code)


def _create(
    provider: IdentityProvider,
    identity: rules.Identity,
    jobcentre: Jobcentre | None,
    *,
    ip_address: str | None,
) -> Any:
    User = get_user_model()
    username = rules.username_for(identity, provider.slug)
    if User.objects.filter(username=username).exists():
        digest = hashlib.sha256(identity.sub.encode()).hexdigest()[:16]
        username = f"{digest}@{provider.slug}"
    user = User(
        username=username,
        first_name=identity.first_name,
        last_name=identity.last_name,
        email=identity.email,
        jobcentre=jobcentre,
        identity_provider=provider,
        external_id=identity.sub,
    )
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # The same person's first sign-in in another tab was first.
        return get_user_model().objects.get(identity_provider=provider, external_id=identity.sub)
    audit_record(
        AuditContext.of(user, ip_address),
        action=Action.ACCOUNT_UPDATE,
        subject=user,
        criteria={
            "created": {
                "username": user.username,
                "first_name": user.first_name,
                "last_name": user.last_name,
                "email": user.email,
                "jobcentre_id": user.jobcentre_id,
            },
            "via": provider.slug,
        },
    )
    return user


def _update(
    user: Any,
    identity: rules.Identity,
    jobcentre: Jobcentre | None,
    *,
    provider: IdentityProvider,
    ip_address: str | None,
) -> None:
    wanted = {
        "first_name": identity.first_name,
        "last_name": identity.last_name,
        "email": identity.email,
        "jobcentre_id": jobcentre.pk if jobcentre is not None else None,
    }
    changed = {
        name: {"from": getattr(user, name), "to": value}
        for name, value in wanted.items()
        if getattr(user, name) != value
    }
    if not changed:
        return
    for name, value in wanted.items():
        setattr(user, name, value)
    user.save(update_fields=[name.removesuffix("_id") for name in wanted])
    audit_record(
        AuditContext.of(user, ip_address),
        action=Action.ACCOUNT_UPDATE,
        subject=user,
        criteria={**changed, "via": provider.slug},
    )


def _set_role(
    user: Any, role: str | None, *, provider: IdentityProvider, ip_address: str | None
) -> None:
    """Give ``user`` exactly ``role`` among APOC's roles (None: none), and admin access with
    the supervisor's and the national administrator's."""
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_PERMISSIONS)}
    before = sorted(user.groups.filter(name__in=ROLE_PERMISSIONS).values_list("name", flat=True))
    after = [role] if role is not None else []
    staff = role in (SUPERVISOR, NATIONAL_ADMIN)
    if before == after and user.is_staff == staff:
        return
    user.groups.remove(*[groups[name] for name in before if name not in after])
    if role is not None and role not in before:
        user.groups.add(groups[role])
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    if before != after:
        audit_record(
            AuditContext(ip_address=ip_address),
            action=Action.ROLE_CHANGE,
            subject=user,
            criteria={"from": before, "to": after, "via": provider.slug},
        )
