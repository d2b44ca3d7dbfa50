import base64

import pytest
from django.test import Client

from portal.oauth.bearer import find_live_token
from portal.oauth.models import AccessToken, RefreshToken
from tests.oauth_helpers import exchange, get_code, make_application, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return Client()


@pytest.fixture
def issued(owner_client, other, api):
    application, secret = make_application(other)
    body = exchange(api, application, secret, get_code(owner_client, application))
    return application, secret, body.json()


def _basic(application, secret):
    raw = f"{application.client_id}:{secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


class TestRevocation:
    def test_a_client_revokes_its_access_token_and_its_refresh_token(self, api, issued):
        application, secret, body = issued

        response = api.post(
            "/api/v1/oauth/revoke/",
            {"token": body["access_token"], "token_type_hint": "access_token"},
            HTTP_AUTHORIZATION=_basic(application, secret),
        )

        assert response.status_code == 200
        assert find_live_token(body["access_token"]) is None
        assert (
            refresh(api, application, secret, body["refresh_token"]).status_code == 400
        )
        assert AccessToken.objects.get().revoked_at is not None

    def test_revoking_a_refresh_token_revokes_its_access_token(self, api, issued):
        application, secret, body = issued

        response = api.post(
            "/api/v1/oauth/revoke",
            {
                "token": body["refresh_token"],
                "client_id": application.client_id,
                "client_secret": secret,
            },
        )

        assert response.status_code == 200
        assert find_live_token(body["access_token"]) is None
        assert RefreshToken.objects.get().revoked is not None

    def test_a_client_cannot_revoke_another_clients_token(self, api, issued, other):
        _application, _secret, body = issued
        intruder, intruder_secret = make_application(other)

        response = api.post(
            "/api/v1/oauth/revoke/",
            {"token": body["access_token"]},
            HTTP_AUTHORIZATION=_basic(intruder, intruder_secret),
        )

        assert response.status_code == 200
        assert find_live_token(body["access_token"]) is not None

    def test_an_unknown_token_answers_200(self, api, issued):
        application, secret, _body = issued

        response = api.post(
            "/api/v1/oauth/revoke/",
            {"token": "pod_at_unknown"},
            HTTP_AUTHORIZATION=_basic(application, secret),
        )

        assert response.status_code == 200

    def test_an_unauthenticated_client_is_refused(self, api, issued):
        application, _secret, body = issued

        response = api.post(
            "/api/v1/oauth/revoke/",
            {"token": body["access_token"]},
            HTTP_AUTHORIZATION=_basic(application, "wrong"),
        )

        assert response.status_code == 401
        assert find_live_token(body["access_token"]) is not None


class TestIntrospection:
    def test_a_client_learns_about_its_own_token(self, api, issued, owner):
        application, secret, body = issued

        response = api.post(
            "/api/v1/oauth/introspect/",
            {"token": body["access_token"]},
            HTTP_AUTHORIZATION=_basic(application, secret),
        )

        data = response.json()
        assert response.status_code == 200
        assert data["active"] is True
        assert data["client_id"] == application.client_id
        assert data["username"] == owner.username
        assert data["scope"] == body["scope"]
        assert data["exp"] > data["iat"]
        assert response["Cache-Control"] == "no-store"

    def test_another_clients_token_and_unknown_ones_are_inactive(
        self, api, issued, other
    ):
        _application, _secret, body = issued
        intruder, intruder_secret = make_application(other)

        for token in (body["access_token"], "pod_at_unknown"):
            response = api.post(
                "/api/v1/oauth/introspect/",
                {"token": token},
                HTTP_AUTHORIZATION=_basic(intruder, intruder_secret),
            )
            assert response.json() == {"active": False}

    def test_a_revoked_token_is_inactive(self, api, issued):
        application, secret, body = issued
        AccessToken.objects.get().revoke()

        response = api.post(
            "/api/v1/oauth/introspect/",
            {"token": body["access_token"]},
            HTTP_AUTHORIZATION=_basic(application, secret),
        )

        assert response.json() == {"active": False}

    def test_introspection_needs_client_authentication(self, api, issued):
        _application, _secret, body = issued

        response = api.post(
            "/api/v1/oauth/introspect/", {"token": body["access_token"]}
        )

        assert response.status_code == 401
        assert response.json() == {"error": "invalid_client"}

    def test_a_missing_token_is_a_bad_request(self, api, issued):
        application, secret, _body = issued

        response = api.post(
            "/api/v1/oauth/introspect/",
            {},
            HTTP_AUTHORIZATION=_basic(application, secret),
        )

        assert response.status_code == 400


def test_the_server_metadata_describes_the_endpoints(api):
    response = api.get("/.well-known/oauth-authorization-server")

    data = response.json()
    assert response.status_code == 200
    assert data["issuer"] == "http://127.0.0.1:8000"
    assert data["authorization_endpoint"] == "http://127.0.0.1:8000/authorize"
    assert data["token_endpoint"] == "http://127.0.0.1:8000/api/v1/oauth/token/"
    assert data["revocation_endpoint"].endswith("/api/v1/oauth/revoke/")
    assert data["introspection_endpoint"].endswith("/api/v1/oauth/introspect/")
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert data["response_types_supported"] == ["code"]
    assert data["authorization_response_iss_parameter_supported"] is True
    assert "read:profile" in data["scopes_supported"]


def test_a_client_revocation_is_in_the_security_log(api, issued, owner):
    from portal.audit.models import SecurityEvent

    application, secret, body = issued

    for token in (body["access_token"], body["refresh_token"]):
        api.post(
            "/api/v1/oauth/revoke/",
            {"token": token},
            HTTP_AUTHORIZATION=_basic(application, secret),
        )

    events = SecurityEvent.objects.filter(kind="token_revoked", user=owner)
    assert [event.detail["by"] for event in events] == ["client", "client"]
    assert {event.detail["kind"] for event in events} == {"access", "refresh"}
