"""A real OpenID provider for the sign-in tests (the npm package oidc-provider, see
``tests/oidc_provider.mjs``), and a user agent that goes through its pages.

Locally, a machine without Node or without ``npm ci`` skips these tests; in CI (``CI``
set) they fail instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tests" / "oidc_provider.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
CLIENT_ID = "apoc"
CLIENT_SECRET = "test-client-secret-for-apoc"
SECRET_ENV = "APOC_TEST_OIDC_SECRET"

#: The people the test provider knows, by login, with their claims.
ACCOUNTS: dict[str, dict[str, Any]] = {
    "sara": {
        "given_name": "Sara",
        "family_name": "Sagsbehandler",
        "preferred_username": "sara@kk.dk",
        "email": "sara@kk.dk",
        "groups": ["apoc-sagsbehandler", "kk-alle"],
        "municipality_code": "101",
    },
    "torben": {
        "given_name": "Torben",
        "family_name": "Teamleder",
        "preferred_username": "torben@kk.dk",
        "email": "torben@kk.dk",
        "groups": ["apoc-teamleder"],
        "municipality_code": "101",
    },
    "nora": {
        "given_name": "Nora",
        "family_name": "Norolle",
        "preferred_username": "nora@kk.dk",
        "email": "nora@kk.dk",
        "groups": ["kk-alle"],
        "municipality_code": "101",
    },
    "bent": {  # says he works in Odense, which this provider does not serve
        "given_name": "Bent",
        "family_name": "Andetsteds",
        "preferred_username": "bent@kk.dk",
        "email": "bent@kk.dk",
        "groups": ["apoc-sagsbehandler"],
        "municipality_code": "461",
    },
    "ane": {  # in the group mapped to landsadministrator
        "given_name": "Ane",
        "family_name": "Admin",
        "preferred_username": "ane@kk.dk",
        "email": "ane@kk.dk",
        "groups": ["apoc-landsadministrator"],
        "municipality_code": "101",
    },
}


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (CI installs it: make browser-deps)")
    pytest.skip(what)


@dataclass
class OidcProvider:
    """oidc-provider running on 127.0.0.1 for the duration of a ``with`` block."""

    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]
    accounts: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(ACCOUNTS))
    folder: Path | None = None
    issuer: str = ""
    process: subprocess.Popen | None = None

    def __enter__(self) -> OidcProvider:
        node = shutil.which("node")
        if node is None:
            _missing("no node: apt-get install nodejs npm")
        if not PACKAGE.exists():
            _missing(f"no oidc-provider at {PACKAGE.parent}: run make browser-deps")
        assert self.folder is not None
        config = self.folder / "oidc-provider.json"
        config.write_text(
            json.dumps(
                {
                    "root": str(ROOT),
                    "accounts": self.accounts,
                    "clients": [
                        {
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                            "redirect_uris": self.redirect_uris,
                            "post_logout_redirect_uris": self.post_logout_redirect_uris,
                            "grant_types": ["authorization_code"],
                            "response_types": ["code"],
                            "token_endpoint_auth_method": "client_secret_basic",
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own script
            [node, str(SCRIPT), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line.startswith("listening "):
            self.process.kill()
            error = self.process.stderr.read() if self.process.stderr else ""
            raise RuntimeError(f"oidc-provider did not start: {line!r} {error[-2000:]}")
        self.issuer = line.split(" ", 1)[1].strip()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()

    def id_tokens(self, mode: str) -> None:
        """``normal``, ``other-key`` or ``wrong-audience``: see tests/oidc_provider.mjs."""
        response = requests.post(f"{self.issuer}/__test__/mode", json={"idToken": mode}, timeout=5)
        response.raise_for_status()


_FORM = re.compile(r'<form[^>]*\baction="([^"]+)"', re.IGNORECASE)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.IGNORECASE)


class UserAgent:
    """A browser's part at the provider, with requests: its login page, its consent page,
    then the redirect back to APOC, which it hands over rather than follows."""

    def __init__(self, apoc_origin: str = "http://testserver") -> None:
        self.session = requests.Session()
        self.apoc_origin = apoc_origin

    def _is_apoc(self, url: str) -> bool:
        return url.startswith(self.apoc_origin + "/")

    def follow(self, url: str, *, method: str = "GET", data: dict | None = None) -> Any:
        """Follow redirects at the provider until APOC's address (returned, a str) or a page
        (returned, a response)."""
        while True:
            if method == "GET":
                response = self.session.get(url, allow_redirects=False, timeout=10)
            else:
                response = self.session.post(url, data=data, allow_redirects=False, timeout=10)
            method, data = "GET", None
            if response.status_code in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers["Location"])
                if self._is_apoc(url):
                    return url
                continue
            return response

    def sign_in(self, authorization_url: str, login: str) -> str:
        """Through the login and consent pages; returns the URL back to APOC."""
        result = self.follow(authorization_url)
        for _ in range(3):
            if isinstance(result, str):
                return result
            page = result.text
            action = _FORM.search(page)
            assert action, f"no form at the provider: {result.status_code} {page[:500]}"
            url = urljoin(result.url, unescape(action.group(1)))
            if 'name="login"' in page:
                data = {"prompt": "login", "login": login, "password": "any"}
            else:
                data = {"prompt": "consent"}
            result = self.follow(url, method="POST", data=data)
        raise AssertionError("the provider never sent the browser back to APOC")

    def confirm_sign_out(self, end_session_url: str) -> str:
        """The provider's "sign out?" page, answered yes; returns the URL back to APOC."""
        result = self.follow(end_session_url)
        if isinstance(result, str):
            return result
        page = result.text
        action = _FORM.search(page)
        assert action, f"no sign-out form: {result.status_code} {page[:500]}"
        data = {name: unescape(value) for name, value in _HIDDEN.findall(page)}
        data["logout"] = "yes"
        back = self.follow(urljoin(result.url, unescape(action.group(1))), method="POST", data=data)
        assert isinstance(back, str), f"not sent back to APOC: {back.status_code}"
        return back
