"""The API of authorized applications: /api/v1/oauth/grants/."""

import pytest
from django.test import Client

from portal.oauth import services
from portal.oauth.models import AccessToken, Grant, RefreshToken
from tests.oauth_helpers import exchange, get_code, make_application, refresh

pytestmark = pytest.mark.django_db

GRANTS = "/api/v1/oauth/grants/"
ME = "/api/v1/users/me/"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def authorize(client, application, secret, **extra):
    """Consent as the signed-in client and redeem the code; return the tokens."""
    code = get_code(client, application, **extra)
    response = exchange(client, application, secret, code)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def app_and_secret(other):
    return make_application(other, scope_ids=("read", "write"))


@pytest.fixture
def other_client(other):
    client = Client()
    client.force_login(other)
    return client


def security_bearer(user):
    application, _ = make_application(
        user, scope_ids=("read:security", "write:security")
    )
    _token, raw = services.issue_personal_token(application, user)
    return bearer(raw)


# List ---------------------------------------------------------------------------


def test_it_lists_an_application_authorized_through_consent(
    owner_client, app_and_secret
):
    application, secret = app_and_secret
    authorize(owner_client, application, secret, scope="read:profile read:favorites")

    response = owner_client.get(GRANTS)

    assert response.status_code == 200
    assert response.json() == [
        {
            "client_id": application.client_id,
            "name": application.name,
            "scopes": "read:profile read:favorites",
            "created": response.json()[0]["created"],
            "last_used": None,
        }
    ]


def test_the_list_records_last_use(owner_client, app_and_secret):
    application, secret = app_and_secret
    tokens = authorize(owner_client, application, secret)
    Client().get(ME, **bearer(tokens["access_token"]))

    entry = owner_client.get(GRANTS).json()[0]

    assert entry["last_used"] is not None


def test_the_list_leaves_out_personal_tokens_and_other_users(
    owner_client, owner, other, app_and_secret
):
    application, secret = app_and_secret
    services.issue_personal_token(application, other)
    mine, _ = make_application(owner)
    services.issue_personal_token(mine, owner)

    assert owner_client.get(GRANTS).json() == []


def test_the_list_never_shows_tokens(owner_client, app_and_secret):
    application, secret = app_and_secret
    tokens = authorize(owner_client, application, secret)

    text = owner_client.get(GRANTS).content.decode()

    assert tokens["access_token"] not in text
    assert tokens["refresh_token"] not in text
    assert "token" not in text


def test_the_list_is_a_plain_list_without_pagination(owner_client, owner):
    for _ in range(25):
        application, secret = make_application(None)
        authorize(owner_client, application, secret)

    body = owner_client.get(GRANTS).json()

    assert isinstance(body, list)
    assert len(body) == 25


def test_listing_needs_a_caller():
    response = Client().get(GRANTS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_listing_with_a_bearer_needs_read_security(owner, app_and_secret):
    application, secret = app_and_secret
    client = Client()
    client.force_login(owner)
    tokens = authorize(client, application, secret, scope="read:profile")

    refused = Client().get(GRANTS, **bearer(tokens["access_token"]))
    allowed = Client().get(GRANTS, **security_bearer(owner))

    assert refused.status_code == 403
    assert refused["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="read:security"'
    )
    assert allowed.status_code == 200
    assert [entry["client_id"] for entry in allowed.json()] == [application.client_id]


# Revoke -------------------------------------------------------------------------


def test_revoking_stops_the_access_and_refresh_tokens(owner_client, app_and_secret):
    application, secret = app_and_secret
    tokens = authorize(owner_client, application, secret)
    assert Client().get(ME, **bearer(tokens["access_token"])).status_code == 200

    response = owner_client.delete(f"{GRANTS}{application.client_id}/")

    assert response.status_code == 204
    stale = Client().get(ME, **bearer(tokens["access_token"]))
    assert stale.status_code == 401
    assert stale["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    refreshed = refresh(Client(), application, secret, tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert refreshed.json()["error"] == "invalid_grant"
    assert owner_client.get(GRANTS).json() == []


def test_revoking_leaves_another_users_tokens_working(
    owner_client, other_client, app_and_secret
):
    application, secret = app_and_secret
    authorize(owner_client, application, secret)
    theirs = authorize(other_client, application, secret)

    response = owner_client.delete(f"{GRANTS}{application.client_id}")

    assert response.status_code == 204
    assert Client().get(ME, **bearer(theirs["access_token"])).status_code == 200
    refreshed = refresh(Client(), application, secret, theirs["refresh_token"])
    assert refreshed.status_code == 200


def test_revoking_leaves_personal_tokens_alone(owner_client, owner):
    application, secret = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)
    authorize(owner_client, application, secret)

    response = owner_client.delete(f"{GRANTS}{application.client_id}/")

    assert response.status_code == 204
    assert Client().get(ME, **bearer(raw)).status_code == 200


def test_revoking_drops_pending_codes(owner_client, app_and_secret):
    application, secret = app_and_secret
    code = get_code(owner_client, application)

    response = owner_client.delete(f"{GRANTS}{application.client_id}/")

    assert response.status_code == 204
    assert not Grant.objects.filter(redeemed_at__isnull=True).exists()
    assert exchange(Client(), application, secret, code).status_code == 400


def test_revoking_with_a_bearer_needs_write_security(owner, app_and_secret):
    application, secret = app_and_secret
    client = Client()
    client.force_login(owner)
    tokens = authorize(client, application, secret, scope="read")
    url = f"{GRANTS}{application.client_id}/"

    refused = Client().delete(url, **bearer(tokens["access_token"]))
    allowed = Client().delete(url, **security_bearer(owner))

    assert refused.status_code == 403
    assert 'scope="write:security"' in refused["WWW-Authenticate"]
    assert allowed.status_code == 204
    assert not AccessToken.objects.filter(
        kind=AccessToken.Kind.ACCESS, revoked_at__isnull=True
    ).exists()


def test_revoking_what_the_caller_does_not_hold_is_404(
    owner_client, other_client, app_and_secret
):
    application, secret = app_and_secret
    authorize(other_client, application, secret)

    response = owner_client.delete(f"{GRANTS}{application.client_id}/")

    assert response.status_code == 404
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1


def test_revoking_twice_is_404_the_second_time(owner_client, app_and_secret):
    application, secret = app_and_secret
    authorize(owner_client, application, secret)
    url = f"{GRANTS}{application.client_id}/"

    assert owner_client.delete(url).status_code == 204
    assert owner_client.delete(url).status_code == 404


@pytest.mark.parametrize("client_id", ["nope", "%00", "a%00b", "x" * 300])
def test_revoking_an_unknown_application_is_404(owner_client, client_id):
    assert owner_client.delete(f"{GRANTS}{client_id}/").status_code == 404


def test_revoking_needs_a_caller(app_and_secret):
    application, _secret = app_and_secret

    assert Client().delete(f"{GRANTS}{application.client_id}/").status_code == 401


def test_revoking_keeps_csrf_protection(owner, app_and_secret):
    application, secret = app_and_secret
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    consent = Client()
    consent.force_login(owner)
    tokens = authorize(consent, application, secret)

    response = client.delete(f"{GRANTS}{application.client_id}/")

    assert response.status_code == 403
    assert Client().get(ME, **bearer(tokens["access_token"])).status_code == 200
