"""Drive the flows with every logger at DEBUG; no secret may reach a log record."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from portal.oauth import services
from tests.oauth_helpers import (
    authorize_params,
    exchange,
    make_application,
    pkce_pair,
    refresh,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything_at_debug(caplog):
    names = ["", "oauthlib", "oauth2_provider", "django", "portal", "django.request"]
    previous = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in previous.items():
        logging.getLogger(name).setLevel(level)


def test_no_token_code_secret_or_password_is_logged(
    everything_at_debug, client, owner, other, password
):
    plaintexts = [password]
    client.post("/accounts/login/", {"username": "alice", "password": "wrong-guess"})
    plaintexts.append("wrong-guess")
    client.post("/accounts/login/", {"username": "alice", "password": password})

    application, secret = make_application(other)
    plaintexts.append(secret)
    _token, personal = services.issue_personal_token(application, other)
    plaintexts.append(personal)
    verifier, challenge = pkce_pair()
    plaintexts.append(verifier)
    response = client.post(
        "/authorize", {**authorize_params(application, challenge), "allow": "1"}
    )
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    plaintexts.append(code)
    api = Client()
    issued = exchange(api, application, secret, code, verifier).json()
    plaintexts += [issued["access_token"], issued["refresh_token"]]
    exchange(api, application, secret, code, verifier)  # replay
    exchange(api, application, "wrong-secret-value", code)
    plaintexts.append("wrong-secret-value")
    rotated = refresh(api, application, secret, issued["refresh_token"]).json()
    refresh(api, application, secret, issued["refresh_token"])  # reuse
    plaintexts += [rotated.get("access_token", ""), rotated.get("refresh_token", "")]
    api.get("/api/v1/rate-limit/", HTTP_AUTHORIZATION=f"Bearer {personal}")
    api.get("/api/v1/rate-limit/", HTTP_AUTHORIZATION="Bearer pod_at_guessedvalue123")
    plaintexts.append("pod_at_guessedvalue123")
    api.post(
        "/api/v1/oauth/revoke/",
        {
            "token": issued["access_token"],
            "client_id": application.client_id,
            "client_secret": secret,
        },
    )

    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {record.__dict__!r}"
        for record in everything_at_debug.records
    )
    assert everything_at_debug.records, "the flows should have logged something"
    for plaintext in filter(None, plaintexts):
        assert plaintext not in logged
