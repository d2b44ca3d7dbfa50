"""The applications a user authorized: listed with what they hold, revoked one by
one or all at once."""

import pytest
from django.test import Client

from portal.oauth import services
from portal.oauth.models import AccessToken, RefreshToken
from tests.oauth_helpers import exchange, get_code, make_application

pytestmark = pytest.mark.django_db

LIST = "/settings/applications/"
REVOKE_ALL = "/settings/applications/authorized/revoke"
ME = "/api/v1/users/me/"


def _revoke(application):
    return f"/settings/applications/authorized/{application.client_id}/revoke"


def _authorize(client, owner_of_app, *, name="Music app", scope="read:profile"):
    application, secret = make_application(
        owner_of_app, scope_ids=["read", "write:profile"]
    )
    application.name = name
    application.save()
    code = get_code(client, application, scope=scope)
    tokens = exchange(client, application, secret, code).json()
    return application, tokens["access_token"]


def _me(raw):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_an_authorized_application_is_listed_with_what_it_holds(owner_client, other):
    _authorize(owner_client, other, scope="read:profile write:profile")

    page = owner_client.get(LIST).content.decode()
    section = page.split('id="authorized"', 1)[1]

    assert "Music app" in section
    assert "by bob" in section
    assert "full access" in section and "Profile" in section
    assert "Revoke access" in section
    assert "Revoke all" in section
    assert "No application can use your account." not in section


def test_an_anonymously_registered_application_says_so(owner_client):
    _authorize(owner_client, None)

    page = owner_client.get(LIST).content.decode()

    assert "registered anonymously" in page


def test_revoking_without_javascript_asks_first(owner_client, other):
    application, raw = _authorize(owner_client, other)

    response = owner_client.post(_revoke(application))

    assert response.status_code == 200
    assert b"Revoke the access of Music app?" in response.content
    assert _me(raw).status_code == 200


def test_revoking_stops_the_tokens_and_redirects_back(owner_client, other):
    application, raw = _authorize(owner_client, other)

    response = owner_client.post(_revoke(application), {"confirmed": "1"})

    assert response.status_code == 302
    assert response["Location"] == LIST + "#authorized"
    assert _me(raw).status_code == 401
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()
    page = owner_client.get(LIST).content.decode()
    assert "Music app can no longer use your account." in page
    assert "No application can use your account." in page


def test_revoking_with_htmx_answers_the_section_without_the_row(owner_client, other):
    application, raw = _authorize(owner_client, other)
    kept, _kept_raw = _authorize(owner_client, other, name="Kept app")

    response = owner_client.post(
        _revoke(application), {"confirmed": "1"}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<section class="card"')
    assert f'id="authorized-{application.client_id}"' not in page
    assert f'id="authorized-{kept.client_id}"' in page
    assert "Music app can no longer use your account." in page
    assert _me(raw).status_code == 401


def test_revoke_all_stops_every_authorization_but_keeps_personal_tokens(
    owner_client, owner, other
):
    _first, first_raw = _authorize(owner_client, other)
    _second, second_raw = _authorize(owner_client, None, name="Second app")
    mine, _secret = make_application(owner)
    _token, personal = services.issue_personal_token(mine, owner)

    response = owner_client.post(REVOKE_ALL, {"confirmed": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert b"The access of 2 applications is revoked." in response.content
    assert b"No application can use your account." in response.content
    assert _me(first_raw).status_code == 401
    assert _me(second_raw).status_code == 401
    assert _me(personal).status_code == 200


def test_revoke_all_without_javascript_asks_first(owner_client, other):
    _application, raw = _authorize(owner_client, other)

    response = owner_client.post(REVOKE_ALL)

    assert b"every application you authorized" in response.content
    assert _me(raw).status_code == 200


def test_an_application_never_authorized_is_not_found(owner_client, other):
    application, _secret = make_application(other)

    response = owner_client.post(_revoke(application), {"confirmed": "1"})

    assert response.status_code == 404


def test_one_user_cannot_revoke_anothers_authorization(client, owner, other):
    client.force_login(owner)
    application, raw = _authorize(client, None)
    client.force_login(other)

    response = client.post(_revoke(application), {"confirmed": "1"})

    assert response.status_code == 404
    assert _me(raw).status_code == 200


def test_anonymous_revocation_goes_to_sign_in(client, owner):
    client.force_login(owner)
    application, raw = _authorize(client, None)
    client.logout()

    for path in (_revoke(application), REVOKE_ALL):
        response = client.post(path, {"confirmed": "1"})
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert _me(raw).status_code == 200


def test_revocation_needs_a_csrf_token(owner, other):
    helper = Client()
    helper.force_login(owner)
    application, raw = _authorize(helper, other)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    for path in (_revoke(application), REVOKE_ALL):
        assert client.post(path, {"confirmed": "1"}).status_code == 403
    assert _me(raw).status_code == 200
    assert AccessToken.objects.filter(revoked_at__isnull=True).count() == 1
