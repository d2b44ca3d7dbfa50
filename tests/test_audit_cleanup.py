"""``manage.py cleanup_tokens`` removes what is past retention, and only that."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from portal.audit.models import SecurityEvent
from portal.oauth import services
from portal.oauth.models import AccessToken, Grant, RefreshToken
from tests.oauth_helpers import exchange, get_code, make_application

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("cleanup_tokens", *args, stdout=out)
    return out.getvalue()


def _issue(owner_client, application, secret):
    body = exchange(
        Client(), application, secret, get_code(owner_client, application)
    ).json()
    return AccessToken.objects.get(prefix=body["access_token"][:11])


def test_it_removes_tokens_codes_and_events_past_retention(owner_client, owner, other):
    application, secret = make_application(other)
    long_ago = timezone.now() - timedelta(days=100)

    revoked_long_ago = _issue(owner_client, application, secret)
    services.revoke_token(revoked_long_ago, actor=owner)
    AccessToken.objects.filter(pk=revoked_long_ago.pk).update(revoked_at=long_ago)
    RefreshToken.objects.filter(token_family=revoked_long_ago.token_family).update(
        revoked=long_ago
    )

    revoked_lately = _issue(owner_client, application, secret)
    services.revoke_token(revoked_lately, actor=owner)

    expired_with_live_refresh = _issue(owner_client, application, secret)
    AccessToken.objects.filter(pk=expired_with_live_refresh.pk).update(expires=long_ago)

    live = _issue(owner_client, application, secret)
    personal, _raw = services.issue_personal_token(application, other)

    Grant.objects.update(redeemed_at=long_ago)
    SecurityEvent.objects.filter(pk=SecurityEvent.objects.earliest("id").pk).update(
        created=timezone.now() - timedelta(days=400)
    )
    events_before = SecurityEvent.objects.count()

    output = _run()

    assert "Deleted 1 refresh tokens." in output
    assert "Deleted 1 access tokens." in output
    assert "Deleted 4 authorization codes." in output
    assert "Deleted 1 security events." in output
    remaining = set(AccessToken.objects.values_list("pk", flat=True))
    assert remaining == {
        revoked_lately.pk,
        expired_with_live_refresh.pk,
        live.pk,
        personal.pk,
    }
    assert SecurityEvent.objects.count() == events_before - 1


def test_days_can_be_given_on_the_command_line(owner):
    application, _secret = make_application(owner)
    token, _raw = services.issue_personal_token(application, owner)
    services.revoke_token(token, actor=owner)
    AccessToken.objects.filter(pk=token.pk).update(
        revoked_at=timezone.now() - timedelta(days=3)
    )

    assert "Deleted 0 access tokens." in _run("--days", "5")
    assert "Deleted 1 access tokens." in _run("--days", "2")


def test_retention_defaults_come_from_the_settings(owner, settings):
    settings.PORTAL_AUDIT_RETENTION_DAYS = 10
    make_application(owner)
    SecurityEvent.objects.update(created=timezone.now() - timedelta(days=11))

    assert "Deleted 1 security events." in _run()


def test_a_negative_retention_is_refused():
    with pytest.raises(CommandError):
        _run("--days", "-1")
