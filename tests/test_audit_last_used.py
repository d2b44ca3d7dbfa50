"""A token records when and from where it was last used, at most once a minute."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.oauth import services
from portal.oauth.models import AccessToken
from tests.oauth_helpers import make_application

pytestmark = pytest.mark.django_db

ME = "/api/v1/users/me/"


@pytest.fixture
def personal(owner):
    application, _secret = make_application(owner)
    token, raw = services.issue_personal_token(application, owner)
    return token, raw


def _token_updates(queries):
    return [
        query["sql"]
        for query in queries
        if query["sql"].startswith("UPDATE") and "oauth_accesstoken" in query["sql"]
    ]


def test_a_burst_of_requests_writes_the_last_use_once(personal):
    token, raw = personal
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="203.0.113.5")

    with CaptureQueriesContext(connection) as queries:
        statuses = {api.get(ME).status_code for _ in range(20)}

    assert statuses == {200}
    assert len(_token_updates(queries.captured_queries)) == 1
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_ip == "203.0.113.5"


def test_a_use_after_the_minute_writes_again(personal):
    token, raw = personal
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR="203.0.113.5")
    api.get(ME)
    earlier = timezone.now() - timedelta(minutes=2)
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=earlier)

    with CaptureQueriesContext(connection) as queries:
        api.get(ME, REMOTE_ADDR="198.51.100.8")
        api.get(ME, REMOTE_ADDR="198.51.100.8")

    assert len(_token_updates(queries.captured_queries)) == 1
    token.refresh_from_db()
    assert token.last_used_at > earlier
    assert token.last_used_ip == "198.51.100.8"


def test_the_last_address_is_the_client_behind_a_trusted_proxy(personal, settings):
    settings.THROTTLING_TRUSTED_PROXIES = 1
    token, raw = personal

    Client().get(
        ME,
        HTTP_AUTHORIZATION=f"Bearer {raw}",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44",
    )

    token.refresh_from_db()
    assert token.last_used_ip == "192.0.2.44"
