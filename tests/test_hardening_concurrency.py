"""Races on consent, personal tokens and deletion, on real connections.

Each thread has its own client and database connection and waits at a barrier,
so the requests reach the database together. On SQLite the test database is a
file and every transaction is IMMEDIATE; on PostgreSQL rows are locked.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client

from portal.oauth import services
from portal.oauth.models import AccessToken, Application, Grant
from tests.oauth_helpers import authorize_params, exchange, make_application

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 6
APPS = "/api/v1/oauth/apps/"
ME = "/api/v1/users/me/"


def _together(actions):
    """Run the actions in threads released at once; return their results."""
    barrier = threading.Barrier(len(actions))

    def run(action):
        barrier.wait()
        try:
            return action()
        finally:
            connection.close()

    with ThreadPoolExecutor(len(actions)) as pool:
        return list(pool.map(run, actions))


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _me(raw):
    return Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code


@pytest.fixture
def owned(owner):
    """Alice's application with her personal token."""
    application, _secret = make_application(owner, scope_ids=["read"])
    services.issue_personal_token(application, owner)
    return application


def test_parallel_consents_each_give_a_working_code(owner, other):
    application, secret = make_application(other)
    browsers = [_signed_in(owner) for _ in range(RACERS)]
    params = {**authorize_params(application), "allow": "1"}

    responses = _together(
        [
            lambda browser=browser: browser.post("/authorize", params)
            for browser in browsers
        ]
    )

    assert [response.status_code for response in responses] == [302] * RACERS
    codes = [
        parse_qs(urlsplit(response["Location"]).query)["code"][0]
        for response in responses
    ]
    assert len(set(codes)) == RACERS
    assert Grant.objects.count() == RACERS
    for code in codes:
        assert exchange(Client(), application, secret, code).status_code == 200
    assert AccessToken.objects.filter(application=application).count() == RACERS


def test_parallel_regenerations_leave_exactly_one_live_personal_token(owner, owned):
    browsers = [_signed_in(owner) for _ in range(RACERS)]
    url = f"{APPS}{owned.client_id}/refresh-token"

    responses = _together(
        [lambda browser=browser: browser.post(url) for browser in browsers]
    )

    assert [response.status_code for response in responses] == [200] * RACERS
    live = AccessToken.objects.filter(
        application=owned, kind=AccessToken.Kind.PERSONAL, revoked_at__isnull=True
    )
    assert live.count() == 1
    statuses = [_me(response.json()["token"]) for response in responses]
    assert sorted(statuses) == [200] + [401] * (RACERS - 1)


def test_parallel_deletions_delete_once_and_leave_no_working_token(owner, owned):
    raw = services.issue_personal_token(owned, owner)[1]
    browsers = [_signed_in(owner) for _ in range(RACERS)]
    url = f"{APPS}{owned.client_id}/"

    responses = _together(
        [lambda browser=browser: browser.delete(url) for browser in browsers]
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [204] + [404] * (RACERS - 1)
    assert not Application.objects.filter(pk=owned.pk).exists()
    assert not AccessToken.objects.filter(application_id=owned.pk).exists()
    assert _me(raw) == 401


def test_regenerations_racing_a_deletion_leave_no_working_token(owner, owned):
    browsers = [_signed_in(owner) for _ in range(RACERS)]
    regenerate = f"{APPS}{owned.client_id}/refresh-token"
    delete = f"{APPS}{owned.client_id}/"
    actions = [
        lambda browser=browser: browser.post(regenerate) for browser in browsers[1:]
    ]
    actions.insert(RACERS // 2, lambda: browsers[0].delete(delete))

    responses = _together(actions)

    deletion = responses[RACERS // 2]
    regenerations = responses[: RACERS // 2] + responses[RACERS // 2 + 1 :]
    assert deletion.status_code == 204
    assert {response.status_code for response in regenerations} <= {200, 404}
    assert not Application.objects.filter(pk=owned.pk).exists()
    assert not AccessToken.objects.filter(application_id=owned.pk).exists()
    for response in regenerations:
        if response.status_code == 200:
            assert _me(response.json()["token"]) == 401


def test_changes_racing_a_deletion_leave_no_server_error(owner, owned):
    browsers = [_signed_in(owner) for _ in range(RACERS)]
    detail = f"{APPS}{owned.client_id}/"
    actions = [
        lambda browser=browser: browser.patch(
            detail, {"name": "Renamed"}, content_type="application/json"
        )
        for browser in browsers[1:]
    ]
    actions.insert(RACERS // 2, lambda: browsers[0].delete(detail))

    responses = _together(actions)

    statuses = [response.status_code for response in responses]
    assert statuses[RACERS // 2] == 204
    assert set(statuses[: RACERS // 2] + statuses[RACERS // 2 + 1 :]) <= {200, 404}
    assert not Application.objects.filter(pk=owned.pk).exists()
