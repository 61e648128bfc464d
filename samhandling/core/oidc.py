"""Log-in through OpenID Connect: the configured providers and their Authlib clients.

Authlib does the protocol: authorisation code with PKCE (S256), a nonce per sign-in, and validation of the ID
token's signature (keys from the provider's JWKS, fetched again when an unknown key id appears), issuer, audience,
expiry and nonce. This module adds what Authlib's Django client lacks: `private_key_jwt` client authentication
with a key read from a file, and pushed authorisation requests (RFC 9126) for providers that ask for them (HelseID).
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit

from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect

# Claims that are kept in the session and the audit log are chosen in services; the whole token never is.
HTTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str = ""
    private_key: str = ""
    scope: str = "openid email profile"
    acr_values: str = ""
    use_par: bool = False
    match: str = "email"  # "email" (a verified e-mail address) or "hpr" (HelseID's HPR number claim)
    hpr_claim: str = "helseid://claims/hpr/hpr_number"
    email_is_verified: bool = False  # the provider vouches for every address it sends (an organisation's Entra ID)
    create_users: bool = False  # an unknown person gets an account with no roles

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def providers() -> dict[str, Provider]:
    return {entry["name"]: Provider(**entry) for entry in settings.OIDC_PROVIDERS}


def provider(name: str) -> Provider | None:
    return providers().get(name)


class SamhandlingOIDCApp(DjangoOAuth2App):
    """Authlib's Django client, with pushed authorisation requests."""

    def authorize_redirect(self, request: HttpRequest, redirect_uri=None, **kwargs) -> HttpResponseRedirect:
        use_par = kwargs.pop("use_par", False)
        rv = self.create_authorization_url(redirect_uri, **kwargs)
        if use_par:
            rv["url"] = self._push_authorization_request(rv["url"])
        self.save_authorize_data(request, redirect_uri=redirect_uri, **rv)
        return HttpResponseRedirect(rv["url"])

    def _push_authorization_request(self, url: str) -> str:
        """Send the request's parameters to the PAR endpoint (client authenticated) and return the short URL
        with `request_uri` that the browser is sent to instead."""
        metadata = self.load_server_metadata()
        par_endpoint = metadata["pushed_authorization_request_endpoint"]
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query))
        with self._get_oauth_client(**metadata) as session:
            auth = session.client_auth(session.token_endpoint_auth_method)
            response = session.post(par_endpoint, data=params, auth=auth, withhold_token=True)
            response.raise_for_status()
            request_uri = response.json()["request_uri"]
        query = urlencode({"client_id": self.client_id, "request_uri": request_uri})
        return parts._replace(query=query).geturl()


class _Registry(OAuth):
    oauth2_client_cls = SamhandlingOIDCApp


def _client_kwargs(entry: Provider) -> tuple[dict, list]:
    kwargs = {"scope": entry.scope, "code_challenge_method": "S256", "default_timeout": HTTP_TIMEOUT_SECONDS}
    methods = []
    if entry.private_key:
        key = json.loads(entry.private_key) if entry.private_key.lstrip().startswith("{") else entry.private_key
        headers = {"kid": key["kid"]} if isinstance(key, dict) and key.get("kid") else None
        # The assertion's audience is the issuer, which HelseID and FAPI 2.0 ask for and every provider accepts.
        methods.append(PrivateKeyJWT(entry.issuer, headers=headers))
        kwargs["token_endpoint_auth_method"] = "private_key_jwt"  # noqa: S105 (a method name, not a secret)
    return kwargs, methods


@lru_cache(maxsize=32)
def _client(entry: Provider) -> SamhandlingOIDCApp:
    kwargs, methods = _client_kwargs(entry)
    secret = entry.private_key or entry.client_secret
    if entry.private_key and entry.private_key.lstrip().startswith("{"):
        secret = json.loads(entry.private_key)
    registry = _Registry()
    return registry.register(
        entry.name,
        client_id=entry.client_id,
        client_secret=secret,
        server_metadata_url=entry.metadata_url,
        client_kwargs=kwargs,
        client_auth_methods=methods,
    )


def client(entry: Provider) -> SamhandlingOIDCApp:
    """The Authlib client of a provider; kept per process, so discovery and the JWKS are fetched once (and the JWKS
    again when a token names a key it does not know: the provider has rotated its keys)."""
    return _client(entry)


def authorize_params(entry: Provider) -> dict:
    params: dict = {"use_par": entry.use_par}
    if entry.acr_values:
        params["acr_values"] = entry.acr_values
    return params
