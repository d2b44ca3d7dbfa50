"""Concurrent redemptions race on real connections, one per thread."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from portal.oauth.models import AccessToken, RefreshToken
from tests.oauth_helpers import exchange, get_code, make_application, refresh

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 6


def _race(action):
    barrier = threading.Barrier(RACERS)

    def run(_index):
        barrier.wait()
        try:
            return action().status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(run, range(RACERS)))


def test_concurrent_redemptions_of_one_code_give_one_success(owner, other):
    application, secret = make_application(other)
    browser = Client()
    browser.force_login(owner)
    code = get_code(browser, application)

    statuses = _race(lambda: exchange(Client(), application, secret, code))

    assert statuses.count(200) == 1
    assert statuses.count(400) == RACERS - 1
    assert AccessToken.objects.count() == 1
    assert RefreshToken.objects.count() == 1


def test_concurrent_refreshes_of_one_token_give_one_success(owner, other):
    application, secret = make_application(other)
    browser = Client()
    browser.force_login(owner)
    issued = exchange(Client(), application, secret, get_code(browser, application))
    refresh_token = issued.json()["refresh_token"]

    statuses = _race(lambda: refresh(Client(), application, secret, refresh_token))

    assert statuses.count(200) == 1
    assert statuses.count(400) == RACERS - 1
    # The original pair and exactly one rotated pair.
    assert AccessToken.objects.count() == 2
    assert RefreshToken.objects.count() == 2
