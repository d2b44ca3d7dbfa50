from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from portal.audit.models import SecurityEvent
from portal.oauth.models import Grant
from tests.oauth_helpers import REDIRECT, authorize_params, make_application, pkce_pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(other):
    application, _secret = make_application(other, scope_ids=["read", "write:profile"])
    return application


def _query(response):
    return parse_qs(urlsplit(response["Location"]).query)


def test_anonymous_visitors_are_sent_to_login_and_back(client, application):
    response = client.get("/authorize", authorize_params(application))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/authorize%3F")


def test_the_consent_page_shows_the_app_its_owner_destination_and_scopes(
    owner_client, application
):
    response = owner_client.get(
        "/authorize", authorize_params(application, scope="read write:profile")
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Test client" in page
    assert "bob" in page
    assert REDIRECT in page
    assert "Profile" in page
    assert "full access" in page
    assert 'name="allow"' in page and 'name="deny"' in page
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]


def test_an_anonymously_registered_app_says_so(owner_client):
    application, _secret = make_application(None)

    response = owner_client.get("/authorize", authorize_params(application))

    assert b"Registered anonymously" in response.content


@pytest.mark.parametrize(
    "changes",
    [
        {"client_id": "unknown"},
        {"client_id": ""},
        {"redirect_uri": None},
        {"redirect_uri": "https://evil.example/callback"},
        {"redirect_uri": REDIRECT + "?next=https://evil.example"},
        {"redirect_uri": REDIRECT + "#x"},
        {"redirect_uri": "https://evil@client.example/callback"},
        {"client_id": "abc\x00def"},
    ],
)
def test_an_unverified_client_or_redirect_never_redirects(
    owner_client, application, changes
):
    response = owner_client.get("/authorize", authorize_params(application, **changes))

    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert "Location" not in response


def test_a_repeated_parameter_is_refused_on_a_page(owner_client, application):
    params = authorize_params(application)
    query = "&".join(f"{k}={v}" for k, v in params.items()) + "&state=again"

    response = owner_client.get("/authorize?" + query)

    assert response.status_code == 400
    assert b"repeats the state parameter" in response.content


def test_a_disabled_application_cannot_start_a_flow(owner_client, application):
    from django.utils import timezone

    application.disabled_at = timezone.now()
    application.save()

    response = owner_client.get("/authorize", authorize_params(application))

    assert response.status_code == 400


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"scope": "read admin"}, "invalid_scope"),
        ({"scope": "read:instance:settings"}, "invalid_scope"),
        (
            {"code_challenge": "x" * 43, "code_challenge_method": "plain"},
            "invalid_request",
        ),
        (
            {"code_challenge": "x" * 43, "code_challenge_method": None},
            "invalid_request",
        ),
        ({"code_challenge_method": "S256"}, "invalid_request"),
    ],
)
def test_client_errors_go_back_to_the_verified_redirect_with_state_and_iss(
    owner_client, application, changes, error
):
    response = owner_client.get("/authorize", authorize_params(application, **changes))

    assert response.status_code == 302
    assert response["Location"].startswith(REDIRECT + "?")
    query = _query(response)
    assert query["error"] == [error]
    assert query["state"] == ["xyz"]
    assert query["iss"] == ["http://127.0.0.1:8000"]


def test_allowing_redirects_with_code_state_and_iss(owner_client, application):
    response = owner_client.post(
        "/authorize", {**authorize_params(application), "allow": "1"}
    )

    assert response.status_code == 302
    query = _query(response)
    assert query["state"] == ["xyz"]
    assert query["iss"] == ["http://127.0.0.1:8000"]
    assert len(query["code"][0]) >= 30
    grant = Grant.objects.get()
    assert grant.code != query["code"][0]
    assert SecurityEvent.objects.filter(kind="consent_granted").count() == 1


def test_denying_redirects_with_access_denied(owner_client, application):
    response = owner_client.post(
        "/authorize", {**authorize_params(application), "deny": "1"}
    )

    query = _query(response)
    assert query["error"] == ["access_denied"]
    assert query["state"] == ["xyz"]
    assert query["iss"] == ["http://127.0.0.1:8000"]
    assert not Grant.objects.exists()
    assert SecurityEvent.objects.filter(kind="consent_denied").count() == 1


def test_partial_consent_keeps_only_the_ticked_scopes(owner_client, application):
    owner_client.post(
        "/authorize",
        {
            **authorize_params(application, scope="read write:profile"),
            "allow": "1",
            "partial_consent": "1",
            "scopes": ["write:profile", "read:favorites"],
        },
    )

    assert Grant.objects.get().scope == "write:profile read:favorites"


def test_partial_consent_with_nothing_ticked_re_renders_the_page(
    owner_client, application
):
    response = owner_client.post(
        "/authorize",
        {**authorize_params(application), "allow": "1", "partial_consent": "1"},
    )

    assert response.status_code == 400
    assert b"Keep at least one permission" in response.content
    assert not Grant.objects.exists()


def test_scopes_beyond_the_application_are_left_out(owner_client, application):
    owner_client.post(
        "/authorize",
        {**authorize_params(application, scope="read write"), "allow": "1"},
    )

    scope = Grant.objects.get().scope.split()
    assert "write:profile" in scope
    assert "write:favorites" not in scope


def test_the_consent_post_is_csrf_protected(owner, application):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(owner)

    response = csrf_client.post(
        "/authorize", {**authorize_params(application), "allow": "1"}
    )

    assert response.status_code == 403
    assert not Grant.objects.exists()


def test_the_funkwhale_api_contract_answers_json_to_xhr(owner_client, application):
    response = owner_client.post(
        "/api/v1/oauth/authorize/",
        {**authorize_params(application), "allow": "true"},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["redirect_uri"].startswith(REDIRECT + "?")
    assert body["code"] in body["redirect_uri"]


def test_the_funkwhale_api_contract_redirects_a_plain_form(owner_client, application):
    response = owner_client.post(
        "/api/v1/oauth/authorize/", {**authorize_params(application), "allow": "true"}
    )

    assert response.status_code == 302
    assert "code" in _query(response)


def test_pkce_parameters_are_stored_with_the_code(owner_client, application):
    _verifier, challenge = pkce_pair()

    owner_client.post(
        "/authorize", {**authorize_params(application, challenge), "allow": "1"}
    )

    grant = Grant.objects.get()
    assert grant.code_challenge == challenge
    assert grant.code_challenge_method == "S256"


def test_a_public_client_must_use_pkce(owner_client, application):
    application.client_type = application.CLIENT_PUBLIC
    application.save()

    response = owner_client.post(
        "/authorize", {**authorize_params(application), "allow": "1"}
    )

    assert _query(response)["error"] == ["invalid_request"]
    assert not Grant.objects.exists()


class TestOutOfBand:
    @pytest.fixture
    def oob_application(self, other):
        application, secret = make_application(
            other, redirect_uris=["urn:ietf:wg:oauth:2.0:oob"]
        )
        return application

    def _params(self, application, redirect_uri="urn:ietf:wg:oauth:2.0:oob"):
        return authorize_params(application, redirect_uri=redirect_uri)

    def test_the_code_is_shown_on_a_page_not_redirected(
        self, owner_client, oob_application
    ):
        response = owner_client.post(
            "/authorize", {**self._params(oob_application), "allow": "1"}
        )

        assert response.status_code == 200
        assert "Location" not in response
        page = response.content.decode()
        assert 'id="oob-code"' in page
        assert "2 minutes" in page
        assert "no-store" in response["Cache-Control"]

    def test_oob_auto_puts_the_code_in_the_title(self, owner_client, oob_application):
        response = owner_client.post(
            "/authorize",
            {
                **self._params(oob_application, "urn:ietf:wg:oauth:2.0:oob:auto"),
                "allow": "1",
            },
        )

        page = response.content.decode()
        title = page.split("<title>")[1].split("</title>")[0]
        code = page.split('id="oob-code" value="')[1].split('"')[0]
        assert code in title

    def test_denying_an_oob_app_shows_a_page(self, owner_client, oob_application):
        response = owner_client.post(
            "/authorize", {**self._params(oob_application), "deny": "1"}
        )

        assert response.status_code == 200
        assert b"You denied access" in response.content

    def test_an_oob_error_is_shown_not_redirected(self, owner_client, oob_application):
        response = owner_client.get(
            "/authorize", self._params(oob_application) | {"scope": "nonsense"}
        )

        assert response.status_code == 400
        assert b"Unknown scope" in response.content


class TestTrustedApplications:
    def _authorize_once(self, client, application):
        response = client.post(
            "/authorize", {**authorize_params(application), "allow": "1"}
        )
        code = _query(response)["code"][0]
        from tests.oauth_helpers import exchange

        assert exchange(Client(), application, self.secret, code).status_code == 200

    @pytest.fixture
    def trusted(self, other):
        application, self.secret = make_application(other)
        application.trusted = True
        application.save()
        return application

    def test_a_trusted_app_already_granted_skips_the_consent_page(
        self, owner_client, trusted
    ):
        self._authorize_once(owner_client, trusted)

        response = owner_client.get("/authorize", authorize_params(trusted))

        assert response.status_code == 302
        query = _query(response)
        assert query["code"] and query["state"] == ["xyz"]
        assert query["iss"] == ["http://127.0.0.1:8000"]

    def test_a_trusted_app_still_asks_the_first_time(self, owner_client, trusted):
        response = owner_client.get("/authorize", authorize_params(trusted))

        assert response.status_code == 200
        assert b'name="allow"' in response.content

    def test_a_trusted_app_asking_for_more_asks_again(self, owner_client, trusted):
        self._authorize_once(owner_client, trusted)
        trusted.scope = "read write:profile"
        trusted.save()

        response = owner_client.get(
            "/authorize", authorize_params(trusted, scope="read write:profile")
        )

        assert response.status_code == 200

    def test_an_untrusted_app_already_granted_asks_with_one_click(
        self, owner_client, other
    ):
        application, self.secret = make_application(other)
        self._authorize_once(owner_client, application)

        response = owner_client.get("/authorize", authorize_params(application))

        assert response.status_code == 200
        assert b"already" in response.content

    def test_a_trusted_app_with_another_redirect_asks_again(self, owner_client, other):
        application, self.secret = make_application(
            other, redirect_uris=[REDIRECT, "https://client.example/other"]
        )
        application.trusted = True
        application.save()
        self._authorize_once(owner_client, application)

        response = owner_client.get(
            "/authorize",
            authorize_params(application, redirect_uri="https://client.example/other"),
        )

        assert response.status_code == 200
        assert b"already" not in response.content


def test_a_native_app_is_sent_back_to_its_private_use_scheme(owner_client, other):
    application, _secret = make_application(
        other, redirect_uris=["com.example.player:/oauth"]
    )

    response = owner_client.post(
        "/authorize",
        {
            **authorize_params(application, redirect_uri="com.example.player:/oauth"),
            "allow": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith("com.example.player:/oauth?code=")
    assert "iss=" in response["Location"]


def test_an_error_for_a_native_app_goes_back_to_its_scheme_too(owner_client, other):
    application, _secret = make_application(
        other, redirect_uris=["com.example.player:/oauth"]
    )

    response = owner_client.post(
        "/authorize",
        {
            **authorize_params(application, redirect_uri="com.example.player:/oauth"),
            "deny": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"].startswith(
        "com.example.player:/oauth?error=access_denied"
    )
