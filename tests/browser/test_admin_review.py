import urllib.error
import urllib.request

import pytest
from django.test import Client
from playwright.sync_api import expect

from portal.oauth import tokens
from portal.oauth.models import AccessToken
from tests.oauth_helpers import exchange, get_code, make_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _status(url, raw):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {raw}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_admin_finds_a_token_and_revokes_it(
    page, live_server, owner, other, django_user_model
):
    django_user_model.objects.create_superuser(
        "root", "root@example.com", "admin password 1"
    )
    application, secret = make_application(other)
    browser = Client()
    browser.force_login(owner)
    raw = exchange(Client(), application, secret, get_code(browser, application))
    raw = raw.json()["access_token"]
    prefix = AccessToken.objects.get(token_checksum=tokens.digest(raw)).prefix
    me = f"{live_server.url}/api/v1/users/me/"
    assert _status(me, raw) == 200

    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill("admin password 1")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Access tokens").click()

    page.get_by_role("textbox", name="Search").fill("alice")
    page.get_by_role("button", name="Search").click()
    row = page.get_by_role("row").filter(has_text=prefix)
    expect(row).to_contain_text("active")
    expect(page.get_by_text(raw)).to_have_count(0)
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option("revoke_tokens")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_text("Revoked 1 token.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=prefix)).to_contain_text("revoked")
    assert _status(me, raw) == 401
