"""Each security event is written by the action that causes it, through the
action's real entry point, and no event ever holds a secret."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client

from portal.audit.models import SecurityEvent
from portal.audit.services import client_ip, record_reveal
from portal.oauth import services
from portal.oauth.models import AccessToken, Application
from portal.ratelimit.identity import account_ident
from portal.ratelimit.services import hit
from tests.oauth_helpers import (
    authorize_params,
    exchange,
    get_code,
    make_application,
    pkce_pair,
    refresh,
)

pytestmark = pytest.mark.django_db

Kind = SecurityEvent.Kind
BROWSER = {"HTTP_USER_AGENT": "Firefox/140 " + "x" * 400, "REMOTE_ADDR": "203.0.113.7"}


def latest(kind):
    return SecurityEvent.objects.filter(kind=kind).latest("id")


def _sign_in(client, username, password):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, **BROWSER
    )


class TestSignIn:
    def test_a_successful_sign_in_is_recorded_with_address_and_agent(
        self, owner, password
    ):
        response = _sign_in(Client(), "alice", password)

        assert response.status_code == 302
        event = latest(Kind.SIGN_IN_SUCCEEDED)
        assert event.user == owner
        assert event.actor == owner
        assert event.ip == "203.0.113.7"
        assert event.user_agent.startswith("Firefox/140")
        assert len(event.user_agent) == 200

    def test_a_failed_sign_in_names_the_account_but_keeps_no_password(self, owner):
        response = _sign_in(Client(), "alice", "not-the-password-42")

        assert response.status_code == 200
        event = latest(Kind.SIGN_IN_FAILED)
        assert event.user == owner
        assert event.actor is None
        assert event.detail == {"account_known": True}
        assert "not-the-password-42" not in repr(SecurityEvent.objects.values())

    def test_a_sign_in_by_e_mail_address_names_the_account(self, owner):
        _sign_in(Client(), "alice@example.com", "wrong")

        assert latest(Kind.SIGN_IN_FAILED).user == owner

    def test_an_unknown_account_name_is_not_stored(self, owner):
        _sign_in(Client(), "mallory-typed-this", "wrong")

        event = latest(Kind.SIGN_IN_FAILED)
        assert event.user is None
        assert event.detail == {"account_known": False}
        assert "mallory-typed-this" not in repr(SecurityEvent.objects.values())

    def test_a_rate_limited_sign_in_is_recorded_once_per_window(self, owner, settings):
        settings.THROTTLING_RATES = {**settings.THROTTLING_RATES, "login": "2/m"}
        cache.clear()
        client = Client()
        statuses = [_sign_in(client, "alice", "wrong").status_code for _ in range(5)]

        assert 429 in statuses
        events = SecurityEvent.objects.filter(kind=Kind.LOGIN_RATE_LIMITED)
        assert events.count() == 1
        assert events.get().ip == "203.0.113.7"

    def test_the_account_limit_names_the_account_it_protects(self, owner, settings):
        settings.THROTTLING_RATES = {**settings.THROTTLING_RATES, "login": "2/m"}
        for _ in range(3):
            hit("login", account_ident("alice"))

        _sign_in(Client(), "alice", "wrong")

        event = latest(Kind.LOGIN_RATE_LIMITED)
        assert event.user == owner
        assert event.detail == {"limit": "account"}


class TestApplicationsAndTokens:
    def test_application_changes_are_recorded_with_their_actor(self, owner):
        application, _secret = make_application(owner)
        assert latest(Kind.APPLICATION_CREATED).application == application

        services.update_application(application, actor=owner, name="Renamed")
        assert latest(Kind.APPLICATION_UPDATED).detail["fields"] == ["name"]

        services.regenerate_client_secret(application, actor=owner)
        assert latest(Kind.CLIENT_SECRET_REGENERATED).actor == owner

        services.delete_application(application, actor=owner)
        event = latest(Kind.APPLICATION_DELETED)
        assert event.application_name == "Renamed"

    def test_personal_tokens_issued_regenerated_and_revealed(self, owner, rf):
        application, _secret = make_application(owner)
        token, _raw = services.issue_personal_token(application, owner)
        assert latest(Kind.PERSONAL_TOKEN_ISSUED).detail["prefix"] == token.prefix

        token, _raw = services.issue_personal_token(application, owner)
        assert latest(Kind.PERSONAL_TOKEN_REGENERATED).detail["prefix"] == token.prefix

        request = rf.get("/settings/", REMOTE_ADDR="198.51.100.4")
        request.user = owner
        record_reveal(request, application, token)
        event = latest(Kind.PERSONAL_TOKEN_REVEALED)
        assert (event.actor, event.user, event.application) == (
            owner,
            owner,
            application,
        )
        assert event.ip == "198.51.100.4"
        assert event.detail == {"prefix": token.prefix}

    def test_consent_granted_and_denied_come_from_the_consent_form(
        self, owner_client, owner, other
    ):
        application, _secret = make_application(other)
        get_code(owner_client, application)
        granted = latest(Kind.CONSENT_GRANTED)
        assert (granted.user, granted.application) == (owner, application)

        owner_client.post("/authorize", {**authorize_params(application), "allow": ""})
        assert latest(Kind.CONSENT_DENIED).user == owner

    def test_token_endpoint_events(self, owner_client, owner, other):
        application, secret = make_application(other)
        api = Client()
        code = get_code(owner_client, application)
        issued = exchange(api, application, secret, code).json()
        assert latest(Kind.TOKEN_ISSUED_BY_CODE).user == owner

        refreshed = refresh(api, application, secret, issued["refresh_token"])
        assert refreshed.status_code == 200
        assert latest(Kind.TOKEN_ISSUED_BY_REFRESH).user == owner

        reused = refresh(api, application, secret, issued["refresh_token"])
        assert reused.status_code == 400
        assert latest(Kind.REFRESH_REUSE_DETECTED).user == owner

        assert exchange(api, application, secret, code).status_code == 400
        assert latest(Kind.CODE_REPLAYED).user == owner

    def test_revocations_are_recorded(self, owner_client, owner, other):
        application, secret = make_application(other)
        exchange(Client(), application, secret, get_code(owner_client, application))
        token = AccessToken.objects.get(user=owner)

        services.revoke_token(token, actor=owner)
        assert latest(Kind.TOKEN_REVOKED).detail["prefix"] == token.prefix

        services.revoke_authorization(owner, application, actor=owner)
        assert latest(Kind.GRANT_REVOKED).user == owner


def test_the_address_honours_trusted_proxies_like_the_rate_limiter(rf, settings):
    settings.THROTTLING_TRUSTED_PROXIES = 1
    request = rf.get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )

    assert client_ip(request) == "203.0.113.9"


def test_an_oauthlib_request_gives_its_address_from_its_headers():
    class OAuthlibRequest:
        headers = {"REMOTE_ADDR": "192.0.2.1", "HTTP_USER_AGENT": "client"}

    assert client_ip(OAuthlibRequest()) == "192.0.2.1"
    assert client_ip(None) is None


def test_an_address_that_is_not_an_ip_is_not_stored(rf):
    assert client_ip(rf.get("/", REMOTE_ADDR="")) is None


def test_no_event_of_a_full_flow_holds_a_secret(
    owner, other, password, django_user_model, django_capture_on_commit_callbacks
):
    """Collect every plaintext a full flow issues, then search every stored
    event, every column and the JSON detail, for it and for anything longer
    than its public prefix."""
    secrets = [password, "typed-wrong-password-9"]
    prefixed = []

    with django_capture_on_commit_callbacks(execute=True):
        application, secret = make_application(other)
        secrets.append(secret)
        secrets.append(services.regenerate_client_secret(application, actor=other))
        secret = secrets[-1]

        browser = Client()
        _sign_in(browser, "alice", "typed-wrong-password-9")
        _sign_in(browser, "alice", password)

        verifier, challenge = pkce_pair()
        code = get_code(browser, application, challenge)
        secrets += [code, verifier]
        api = Client()
        issued = exchange(api, application, secret, code, verifier).json()
        prefixed += [issued["access_token"], issued["refresh_token"]]
        refreshed = refresh(api, application, secret, issued["refresh_token"]).json()
        prefixed += [refreshed["access_token"], refreshed["refresh_token"]]
        refresh(api, application, secret, issued["refresh_token"])
        exchange(api, application, secret, code, verifier)

        code = get_code(browser, application)
        secrets.append(code)
        again = exchange(api, application, secret, code).json()
        prefixed += [again["access_token"], again["refresh_token"]]
        services.revoke_token(
            AccessToken.objects.get(prefix=again["access_token"][:11]), actor=owner
        )

        token, raw = services.issue_personal_token(application, other)
        prefixed.append(raw)
        token, raw = services.issue_personal_token(application, other)
        prefixed.append(raw)

        staff = django_user_model.objects.create_superuser(
            "root", "root@example.com", "admin-password-77"
        )
        secrets.append("admin-password-77")
        admin = Client()
        admin.post(
            "/admin/login/?next=/admin/",
            {"username": "root", "password": "admin-password-77"},
        )
        admin.post(
            "/admin/oauth/application/",
            {
                "action": "revoke_all_tokens",
                "_selected_action": [application.pk],
            },
        )

    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {
        Kind.SIGN_IN_FAILED,
        Kind.SIGN_IN_SUCCEEDED,
        Kind.CONSENT_GRANTED,
        Kind.TOKEN_ISSUED_BY_CODE,
        Kind.TOKEN_ISSUED_BY_REFRESH,
        Kind.REFRESH_REUSE_DETECTED,
        Kind.CODE_REPLAYED,
        Kind.PERSONAL_TOKEN_REGENERATED,
        Kind.APPLICATION_TOKENS_REVOKED,
    } <= kinds
    stored = repr(list(SecurityEvent.objects.values()))
    for value in secrets:
        assert value not in stored
        assert value[:8] not in stored
    for value in prefixed:
        public = value[:11]
        assert value[: len(public) + 1] not in stored
    assert staff.is_staff
    assert Permission.objects.exists()
    assert Application.objects.filter(pk=application.pk).exists()
