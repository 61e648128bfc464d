"""A real OpenID Connect provider on loopback for the log-in tests: panva's certified `oidc-provider` (Node), from
tests/tools/oidc-provider (installed by scripts/ensure_test_tools.sh), with three clients:

- `samhandling-secret`: client_secret_basic, authorisation code + PKCE (as Entra ID and ID-porten are used);
- `samhandling-helseid`: private_key_jwt and pushed authorisation requests required (as HelseID asks);
- `samhandling-other`: a client registered for someone else (its ID tokens are not for us).

`sign_in_at_provider()` plays the person at the provider's log-in form, with `requests`, and returns the URL the
provider sends the browser back to.
"""

import json
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import requests
from joserfc.jwk import RSAKey

TOOL_DIR = Path(__file__).resolve().parent / "tools" / "oidc-provider"
ACCOUNTS = {
    "kari-entra": {"email": "kari@demo.samhandling.invalid", "email_verified": True, "name": "Kari"},
    "stranger": {"email": "ukjent@example.no", "email_verified": True, "name": "Ukjent"},
    "unverified-kari": {"email": "kari@demo.samhandling.invalid", "email_verified": False},
    "per-helseid": {"hpr_number": "9144889", "name": "Per"},
}


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen
    client_private_jwk: dict

    def settings_for(self, name: str, **overrides) -> dict:
        """An entry for settings.OIDC_PROVIDERS, as settings.py builds it from OIDC_<NAME>_* variables."""
        entry = {
            "name": name,
            "label": "Testleverandør",
            "issuer": self.issuer,
            "client_id": "samhandling-secret",
            "client_secret": "test-client-secret",
            "private_key": "",
            "scope": "openid email profile",
            "acr_values": "",
            "use_par": False,
            "match": "email",
            "hpr_claim": "hpr_number",
            "email_is_verified": False,
            "create_users": False,
        }
        entry.update(overrides)
        return entry

    def helseid_settings(self, name: str = "helseid") -> dict:
        return self.settings_for(
            name,
            label="HelseID",
            client_id="samhandling-helseid",
            client_secret="",
            private_key=json.dumps(self.client_private_jwk),
            scope="openid profile hpr",
            use_par=True,
            match="hpr",
        )

    def tamper(self, mode: str) -> None:
        requests.post(f"{self.issuer}/__test/tamper", data={"mode": mode}, timeout=5).raise_for_status()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_provider(tmp_dir: Path, redirect_bases: list[str]) -> RunningProvider:
    node = shutil.which("node")
    if node is None or not (TOOL_DIR / "node_modules" / "oidc-provider").exists():
        raise RuntimeError("Run scripts/ensure_test_tools.sh: the log-in tests need node and oidc-provider.")
    port = _free_port()
    signing = RSAKey.generate_key(2048, parameters={"kid": "provider-key-1", "alg": "RS256", "use": "sig"})
    client_key = RSAKey.generate_key(2048, parameters={"kid": "client-key-1", "alg": "RS256", "use": "sig"})
    client_private = client_key.as_dict(private=True)
    client_public = client_key.as_dict(private=False)

    def uris(name: str) -> list[str]:
        return [f"{base}/konto/logg-inn/via/{name}/svar/" for base in redirect_bases]

    logout_uris = [f"{base}/konto/logg-inn/" for base in redirect_bases]
    config = {
        "port": port,
        "signing_jwk": signing.as_dict(private=True),
        "accounts": ACCOUNTS,
        "clients": [
            {
                "client_id": "samhandling-secret",
                "client_secret": "test-client-secret",
                "redirect_uris": [uri for name in ("testidp", "entra", "optin") for uri in uris(name)],
                "post_logout_redirect_uris": logout_uris,
                "token_endpoint_auth_method": "client_secret_basic",
            },
            {
                "client_id": "samhandling-helseid",
                "redirect_uris": uris("helseid"),
                "post_logout_redirect_uris": logout_uris,
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": "RS256",
                "require_pushed_authorization_requests": True,
                "jwks": {"keys": [client_public]},
            },
            {
                "client_id": "samhandling-other",
                "client_secret": "other-secret",
                "redirect_uris": uris("testidp"),
                "token_endpoint_auth_method": "client_secret_basic",
            },
        ],
    }
    config_path = tmp_dir / f"oidc-provider-{port}.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    process = subprocess.Popen(
        [node, str(TOOL_DIR / "server.mjs"), str(config_path)],
        cwd=TOOL_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).ok:
                return RunningProvider(issuer=issuer, process=process, client_private_jwk=client_private)
        except requests.ConnectionError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.2)
    process.kill()
    raise RuntimeError("the test OpenID Connect provider did not start")


def sign_in_at_provider(authorize_url: str, account: str, stop_at: str) -> str:
    """Follow the provider's pages as the person `account`, and return the first URL that leads back to `stop_at`
    (the relying party's callback with `code` and `state`)."""
    session = requests.Session()
    url = authorize_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith(stop_at):
                return url
            continue
        assert response.status_code == 200, response.text[:500]
        # The log-in form: post the account id to the same interaction URL.
        response = session.post(url, data={"login": account}, allow_redirects=False, timeout=10)
        assert response.is_redirect, response.text[:500]
        url = urljoin(url, response.headers["Location"])
        if url.startswith(stop_at):
            return url
    raise AssertionError("the provider never sent the browser back")
