"""The caller's account: /api/v1/users/me/, the API's protected resource."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from portal.oauth import scopes, services
from portal.oauth.models import AccessToken, Application
from tests.oauth_helpers import exchange, get_code, make_application

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me/"


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_a_session_user_reads_their_account(owner_client, owner):
    response = owner_client.get(ME)

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == owner.pk
    assert body["username"] == "alice"
    assert body["email"] == "alice@example.com"
    assert body["is_staff"] is False
    assert set(body["scopes"]) == scopes.user_may_hold(owner)
    assert not [scope for scope in body["scopes"] if "instance:" in scope]


def test_a_staff_session_lists_the_instance_scopes_it_may_hold(owner):
    owner.is_staff = True
    owner.save()
    owner.user_permissions.add(Permission.objects.get(codename="instance_settings"))
    client = Client()
    client.force_login(owner)

    held = client.get(ME).json()["scopes"]

    assert "read:instance:settings" in held
    assert "write:instance:users" in held
    assert "read:instance:reports" not in held


def test_a_token_reports_its_own_scopes(owner):
    application, _ = make_application(owner, scope_ids=("read:profile", "write:radios"))
    _token, raw = services.issue_personal_token(application, owner)

    response = Client().get(ME, **bearer(raw))

    assert response.status_code == 200
    assert response.json()["scopes"] == ["read:profile", "write:radios"]
    assert response.json()["username"] == "alice"


def test_an_oauth_access_token_works(owner_client, owner):
    application, secret = make_application(None)
    code = get_code(owner_client, application, scope="read:profile")
    tokens = exchange(owner_client, application, secret, code).json()

    response = Client().get(ME, **bearer(tokens["access_token"]))

    assert response.status_code == 200
    assert response.json()["scopes"] == ["read:profile"]


def test_a_token_without_read_profile_is_refused(owner):
    application, _ = make_application(owner, scope_ids=("read:favorites",))
    _token, raw = services.issue_personal_token(application, owner)

    response = Client().get(ME, **bearer(raw))

    assert response.status_code == 403
    assert response["WWW-Authenticate"] == (
        'Bearer realm="api", error="insufficient_scope", scope="read:profile"'
    )
    assert "read:profile" in response.json()["detail"]


def test_an_anonymous_caller_is_asked_for_a_bearer_token():
    response = Client().get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_an_unknown_token_is_invalid():
    response = Client().get(ME, **bearer("pod_pt_unknown"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'


@pytest.mark.parametrize("header", ["Bearer two words", "Bearer " + "x" * 300])
def test_a_malformed_header_is_invalid_request(header):
    response = Client().get(ME, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == (
        'Bearer realm="api", error="invalid_request"'
    )


def test_an_expired_token_is_invalid(owner):
    application, _ = make_application(owner)
    token, raw = services.issue_personal_token(application, owner)
    AccessToken.objects.filter(pk=token.pk).update(
        expires=timezone.now() - timedelta(seconds=1)
    )

    response = Client().get(ME, **bearer(raw))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_revoked_token_is_invalid(owner):
    application, _ = make_application(owner)
    token, raw = services.issue_personal_token(application, owner)
    services.revoke_token(token, actor=owner)

    response = Client().get(ME, **bearer(raw))

    assert response.status_code == 401
    assert 'error="invalid_token"' in response["WWW-Authenticate"]


def test_a_token_of_a_disabled_application_is_invalid(owner):
    application, _ = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)
    Application.objects.filter(pk=application.pk).update(disabled_at=timezone.now())

    assert Client().get(ME, **bearer(raw)).status_code == 401


def test_a_token_of_an_inactive_user_is_invalid(owner):
    application, _ = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)
    owner.is_active = False
    owner.save()

    assert Client().get(ME, **bearer(raw)).status_code == 401


def test_a_token_in_the_query_string_is_not_accepted(owner):
    application, _ = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)

    response = Client().get(ME, {"access_token": raw})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_in_a_form_body_is_not_accepted(owner):
    application, _ = make_application(owner)
    _token, raw = services.issue_personal_token(application, owner)

    response = Client().generic(
        "GET",
        ME,
        f"access_token={raw}",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 401


def test_a_bad_token_wins_over_a_session(owner_client):
    response = owner_client.get(ME, **bearer("pod_pt_unknown"))

    assert response.status_code == 401


def test_the_trailing_slash_is_optional(owner_client):
    assert owner_client.get(ME.rstrip("/")).status_code == 200


def test_only_get_is_allowed(owner_client):
    assert owner_client.post(ME).status_code == 405
