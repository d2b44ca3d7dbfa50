"""Sign-in, sign-up and password change under their rate limits."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password="wrong", address="192.0.2.1"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_sign_in_is_refused_per_address_with_the_form_kept(client, owner, settings):
    settings.THROTTLING_RATES = {"login": "3/h"}
    for name in ("a1", "a2", "a3"):
        assert _sign_in(client, name).status_code == 200

    response = _sign_in(client, "alice", password="guess-secret")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert response["X-RateLimit-Scope"] == "login"
    assert response["X-RateLimit-Remaining"] == "0"
    content = response.content.decode()
    assert "Too many attempts. Please wait 1 hour and try again." in content
    assert 'name="username" value="alice"' in content
    assert "guess-secret" not in content


def test_a_refused_sign_in_never_checks_the_password(client, owner, password, settings):
    settings.THROTTLING_RATES = {"login": "1/h"}
    _sign_in(client, "someone-else")

    response = _sign_in(client, "alice", password=password)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_two_addresses_guessing_one_account_are_refused_by_the_account_limit(
    client, owner, settings
):
    settings.THROTTLING_RATES = {"login": "3/h"}
    _sign_in(client, "alice", address="192.0.2.1")
    _sign_in(client, "alice", address="192.0.2.1")
    _sign_in(client, " ALICE", address="198.51.100.7")

    response = _sign_in(client, "Alice", address="198.51.100.7")

    assert response.status_code == 429
    assert response["X-RateLimit-Scope"] == "login"
    assert response["X-RateLimit-Remaining"] == "0"
    assert 'value="Alice"' in response.content.decode()
    # The second address has spent only two of its own three attempts.
    other_account = _sign_in(client, "bob", address="198.51.100.7")
    assert other_account.status_code == 200


def test_the_sign_in_page_itself_falls_to_the_wildcard(client, settings):
    settings.THROTTLING_RATES = {"login": "1/h"}

    responses = [client.get("/accounts/login/") for _ in range(3)]

    assert [r.status_code for r in responses] == [200, 200, 200]
    assert responses[0]["X-RateLimit-Scope"] == "anonymous-wildcard"


def test_sign_up_is_refused_with_the_form_kept_and_no_account_made(client, settings):
    settings.THROTTLING_RATES = {"signup": "1/d"}
    data = {
        "username": "carol",
        "email": "carol@example.com",
        "password1": "a long enough passphrase",
        "password2": "a long enough passphrase",
    }
    client.post("/accounts/signup/", {**data, "username": "dave", "email": "d@x.io"})
    client.logout()

    response = client.post("/accounts/signup/", data)

    assert response.status_code == 429
    assert response["X-RateLimit-Scope"] == "signup"
    assert response["Retry-After"] == "86400"
    content = response.content.decode()
    assert "Too many attempts. Please wait 24 hours and try again." in content
    assert 'value="carol"' in content
    assert 'value="carol@example.com"' in content
    assert "a long enough passphrase" not in content
    assert not get_user_model().objects.filter(username="carol").exists()


def test_password_change_is_refused_per_user_and_keeps_the_password(
    owner_client, owner, password, settings
):
    settings.THROTTLING_RATES = {"password-change": "2/h"}
    wrong = {"old_password": "nope", "new_password1": "x", "new_password2": "x"}
    owner_client.post("/accounts/password/", wrong)
    owner_client.post("/accounts/password/", wrong)

    response = owner_client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )

    assert response.status_code == 429
    assert response["X-RateLimit-Scope"] == "password-change"
    assert b"Too many attempts." in response.content
    assert b"a brand new passphrase" not in response.content
    owner.refresh_from_db()
    assert owner.check_password(password)


def test_other_users_keep_their_own_password_change_budget(
    client, owner, other, settings
):
    settings.THROTTLING_RATES = {"password-change": "1/h"}
    client.force_login(owner)
    client.post("/accounts/password/", {"old_password": "nope"})
    client.force_login(other)

    response = client.post("/accounts/password/", {"old_password": "nope"})

    assert response.status_code == 200
    assert response["X-RateLimit-Remaining"] == "0"
