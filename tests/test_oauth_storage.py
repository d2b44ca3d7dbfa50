"""After any flow the database holds no plaintext token, code or secret."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client

from portal.oauth import services
from tests.oauth_helpers import authorize_params, exchange, make_application, refresh

pytestmark = pytest.mark.django_db


def _all_stored_text():
    """Every value of every row of every table, as text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row)
    # Session rows are encoded: read them the way Django does.
    chunks.extend(str(session.get_decoded()) for session in Session.objects.all())
    return "\n".join(chunks)


def test_no_plaintext_secret_token_or_code_is_stored(owner_client, owner, other):
    application, client_secret = make_application(other)
    _personal, personal_raw = services.issue_personal_token(application, other)
    new_secret = services.regenerate_client_secret(application, actor=other)

    response = owner_client.post(
        "/authorize", {**authorize_params(application), "allow": "1"}
    )
    code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
    api = Client()
    first = exchange(api, application, new_secret, code).json()
    second = refresh(api, application, new_secret, first["refresh_token"]).json()
    exchange(api, application, new_secret, code)  # a replay, for the audit trail

    stored = _all_stored_text()
    plaintexts = [
        client_secret,
        new_secret,
        personal_raw,
        code,
        first["access_token"],
        first["refresh_token"],
        second["access_token"],
        second["refresh_token"],
    ]
    for plaintext in plaintexts:
        assert plaintext not in stored
        # Nothing beyond the public prefix (kind prefix and four characters).
        assert plaintext[:16] not in stored


def test_secrets_waiting_to_be_shown_are_not_in_the_database(owner_client):
    response = owner_client.post(
        "/settings/applications/new",
        {
            "name": "Waiting",
            "redirect_uris": "https://client.example/cb",
            "scopes": ["read"],
            "token_expiry": "never",
        },
    )
    stored_before_the_reveal = _all_stored_text()

    page = owner_client.get(response["Location"]).content.decode()
    token = page.split('id="personal-token"')[1].split('value="')[1].split('"')[0]
    secret = page.split('id="client-secret"')[1].split('value="')[1].split('"')[0]

    assert token.startswith("pod_pt_")
    for plaintext in (token, secret):
        assert plaintext not in stored_before_the_reveal
        assert plaintext not in _all_stored_text()
