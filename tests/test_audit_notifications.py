"""Users hear by e-mail about a new application on their account, a personal
token issued, and a refresh token used twice; no mail holds a secret."""

import pytest
from django.core import mail
from django.test import Client

from portal.oauth import services
from tests.oauth_helpers import exchange, get_code, make_application, refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _everything(message):
    return message.subject + message.body + " ".join(message.to)


def test_a_first_consent_tells_the_user_once(owner_client, owner, other, capture):
    application, secret = make_application(other)
    application.name = "Tempo <script>"
    application.save()

    with capture():
        code = get_code(owner_client, application)
    issued = exchange(Client(), application, secret, code).json()
    with capture():
        second = get_code(owner_client, application)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"]
    assert "Tempo <script>" in message.subject
    assert 'authorized the application "Tempo <script>"' in message.body
    assert "UTC" in message.body
    assert "/settings/security/" in message.body
    for secret_value in (code, second, secret, issued["access_token"]):
        assert secret_value not in _everything(message)


def test_a_consent_after_revoking_is_new_again(owner_client, owner, other, capture):
    application, secret = make_application(other)
    with capture():
        exchange(Client(), application, secret, get_code(owner_client, application))
    services.revoke_authorization(owner, application, actor=owner)

    with capture():
        get_code(owner_client, application)

    assert len(mail.outbox) == 2


def test_a_personal_token_issued_and_regenerated_are_mailed(owner, capture):
    application, _secret = make_application(owner)

    with capture():
        _token, first = services.issue_personal_token(application, owner)
    with capture():
        _token, second = services.issue_personal_token(application, owner)

    assert len(mail.outbox) == 2
    assert "previous one no longer works" not in mail.outbox[0].body
    assert "previous one no longer works" in mail.outbox[1].body
    for message in mail.outbox:
        assert "Test client" in message.body
        assert first not in _everything(message)
        assert second not in _everything(message)
        assert first[:12] not in _everything(message)


def test_refresh_token_reuse_is_mailed(owner_client, owner, other, capture):
    application, secret = make_application(other)
    api = Client()
    issued = exchange(api, application, secret, get_code(owner_client, application))
    issued = issued.json()
    refresh(api, application, secret, issued["refresh_token"])
    mail.outbox.clear()

    with capture():
        response = refresh(api, application, secret, issued["refresh_token"])

    assert response.status_code == 400
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "used twice" in message.body
    assert issued["refresh_token"] not in _everything(message)
    assert issued["refresh_token"][:12] not in _everything(message)


def test_a_user_without_an_address_gets_no_mail(owner, capture):
    owner.email = ""
    owner.save()
    application, _secret = make_application(owner)

    with capture():
        services.issue_personal_token(application, owner)

    assert mail.outbox == []


def test_no_mail_leaves_when_the_transaction_rolls_back(owner):
    application, _secret = make_application(owner)

    services.issue_personal_token(application, owner)

    # Outside a committed transaction the on-commit callback never ran.
    assert mail.outbox == []
