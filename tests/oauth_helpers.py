"""Helpers the OAuth tests share: applications, PKCE pairs, a consent walk."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

from portal.oauth import services

REDIRECT = "https://client.example/callback"


def make_application(owner=None, *, redirect_uris=(REDIRECT,), scope_ids=("read",)):
    application, secret = services.create_application(
        name="Test client",
        redirect_uris=list(redirect_uris),
        scope_ids=list(scope_ids),
        owner=owner,
    )
    return application, secret


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    return verifier, challenge


def authorize_params(application, challenge=None, **extra):
    params = {
        "client_id": application.client_id,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "read",
        "state": "xyz",
    }
    if challenge:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    params.update(extra)
    return {key: value for key, value in params.items() if value is not None}


def get_code(client, application, challenge=None, **extra):
    """Walk the consent form as the signed-in client and return the code."""
    params = authorize_params(application, challenge, **extra)
    response = client.post("/authorize", {**params, "allow": "1"})
    assert response.status_code == 302, response.content[:500]
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["code"][0]


def exchange(client, application, secret, code, verifier=None, redirect_uri=REDIRECT):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": application.client_id,
        "client_secret": secret,
    }
    if verifier:
        data["code_verifier"] = verifier
    return client.post("/api/v1/oauth/token/", data)


def refresh(client, application, secret, refresh_token):
    return client.post(
        "/api/v1/oauth/token/",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )
