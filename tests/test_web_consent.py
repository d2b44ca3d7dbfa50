"""The consent screen as the settings pages present it: grouped scopes, the
picker for partial consent, and the one-click continue."""

import pytest

from portal.oauth.models import AccessToken
from tests.oauth_helpers import (
    authorize_params,
    exchange,
    get_code,
    make_application,
    pkce_pair,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(other):
    application, secret = make_application(other, scope_ids=["read", "write:profile"])
    application.plain_secret = secret
    return application


def test_the_picker_offers_exactly_the_requested_scopes_ticked(
    owner_client, application
):
    response = owner_client.get(
        "/authorize", authorize_params(application, scope="read:radios write:profile")
    )

    page = response.content.decode()
    assert '<details class="consent-details"' in page
    assert (
        'name="scopes" value="read:radios" data-check-group="scope-read" checked'
        in page
    )
    assert (
        'name="scopes" value="write:profile" data-check-group="scope-write" checked'
        in page
    )
    assert 'value="read:profile"' not in page
    assert 'value="read"' not in page
    assert "Authorize" in page and "Deny" in page
    assert "You will then be sent to:" in page


def test_unticking_a_scope_leaves_it_out_of_the_issued_token(owner_client, application):
    verifier, challenge = pkce_pair()
    params = authorize_params(
        application, challenge, scope="read:radios write:profile read:favorites"
    )
    response = owner_client.post(
        "/authorize",
        {
            **params,
            "allow": "1",
            "partial_consent": "1",
            "scopes": ["read:radios", "read:favorites"],
        },
    )
    code = response["Location"].split("code=")[1].split("&")[0]

    tokens = exchange(
        owner_client, application, application.plain_secret, code, verifier
    ).json()

    assert set(tokens["scope"].split()) == {"read:radios", "read:favorites"}
    assert AccessToken.objects.get().scope == "read:favorites read:radios"


def test_unticking_everything_shows_the_picker_open_with_the_error(
    owner_client, application
):
    response = owner_client.post(
        "/authorize",
        {**authorize_params(application), "allow": "1", "partial_consent": "1"},
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert '<details class="consent-details" open>' in page
    assert "Keep at least one permission" in page
    assert " checked" not in page.split("<details", 1)[1].split("</details>")[0]


def test_an_application_already_granted_offers_to_continue(owner_client, application):
    verifier, challenge = pkce_pair()
    code = get_code(owner_client, application, challenge, scope="read:profile")
    exchange(owner_client, application, application.plain_secret, code, verifier)

    page = owner_client.get(
        "/authorize", authorize_params(application, scope="read:profile")
    ).content.decode()

    assert "You already allowed Test client to do all of this." in page
    assert ">Continue</button>" in page


def test_a_first_request_asks_to_authorize(owner_client, application):
    page = owner_client.get("/authorize", authorize_params(application)).content

    assert b">Authorize</button>" in page
    assert b"You already allowed" not in page
