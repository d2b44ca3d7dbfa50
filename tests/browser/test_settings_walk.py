"""A new user walks through the settings pages in Chromium, with JavaScript on and
off: registers an application from a shared link, copies and uses its token,
regenerates it, revokes an application it authorized and deletes its own.

With ``PORTAL_SCREENSHOTS=docs/screenshots`` the JavaScript walk also saves the
screenshots of the documentation.
"""

import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.oauth_helpers import make_application, pkce_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALLBACK = "https://client.example/callback"
SHARED_LINK = "/settings/applications/new?" + urlencode(
    {
        "name": "Walk player",
        "scopes": "read write:profile",
        "redirect_uris": "https://player.example/callback",
    }
).replace("+", "%20")


def _screenshot(page, javascript, name):
    """Save a screenshot of the JavaScript walk when PORTAL_SCREENSHOTS is set."""
    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if not folder or not javascript:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _api_me(base, token):
    request = urllib.request.Request(
        f"{base}/api/v1/users/me/", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


@pytest.fixture(params=["javascript", "no-javascript"])
def walk(request, browser, live_server, owner, password):
    """A signed-in Chromium page at 1280 px, light scheme, JavaScript on or off."""
    javascript = request.param == "javascript"
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
        color_scheme="light",
        base_url=live_server.url,
    )
    if javascript:
        context.grant_permissions(
            ["clipboard-read", "clipboard-write"], origin=live_server.url
        )
    page = context.new_page()
    # Confirmation dialogs (hx-confirm) are accepted as a person would.
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/accounts/login/")
    page.get_by_label("Username or e-mail").fill(owner.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    yield page, javascript
    context.close()


def _copy_token(page, javascript):
    """Take the revealed token as a person would: the Copy button, or the field."""
    field = page.locator("#personal-token")
    expect(field).to_be_visible()
    if not javascript:
        expect(page.locator("#token").get_by_role("button", name="Copy")).to_be_hidden()
        return field.input_value()

    page.locator("#token").get_by_role("button", name="Copy").first.click()
    expect(page.locator("#announcer")).to_have_text("Token copied")
    return page.evaluate("navigator.clipboard.readText()")


def _authorize_through_consent(page, javascript, base, client_owner):
    """Authorize another person's application on the consent screen; return its
    access token."""
    application, secret = make_application(
        client_owner, scope_ids=["read", "write:favorites"]
    )
    application.name = "Radio station"
    application.save()
    verifier, challenge = pkce_pair()
    captured = []

    def fulfil(route):
        captured.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<p>Connected</p>")

    page.route(f"{CALLBACK}**", fulfil)
    query = urlencode(
        {
            "client_id": application.client_id,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": "read:profile read:favorites write:favorites",
            "state": "walk",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    page.goto(f"/authorize?{query}")
    expect(page.get_by_role("heading", name="Authorize Radio station?")).to_be_visible()
    expect(page.get_by_text("Registered by bob")).to_be_visible()
    expect(page.get_by_text(CALLBACK)).to_be_visible()
    _screenshot(page, javascript, "consent")
    page.get_by_text("Choose what to share").click()
    page.get_by_label("Write favorites").uncheck()
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text("Connected")).to_be_visible()
    page.unroute(f"{CALLBACK}**")

    code = parse_qs(urlsplit(captured[0]).query)["code"][0]
    response = requests.post(
        f"{base}/api/v1/oauth/token/",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "client_id": application.client_id,
            "client_secret": secret,
            "code_verifier": verifier,
        },
        timeout=10,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["scope"].split()) == {"read:profile", "read:favorites"}
    return body["access_token"]


def test_a_new_user_walks_through_the_settings(walk, live_server, other):
    page, javascript = walk
    base = live_server.url

    # The settings page leads to the applications.
    page.get_by_role("link", name="Your applications").click()
    expect(
        page.get_by_text("You have not registered an application yet.")
    ).to_be_visible()

    # A shared link fills the registration form in.
    page.goto(SHARED_LINK)
    expect(page.get_by_label("Name")).to_have_value("Walk player")
    expect(page.get_by_label("Redirect URIs")).to_have_value(
        "https://player.example/callback"
    )
    expect(page.locator('input[name="scopes"][value="read"]')).to_be_checked()
    expect(page.get_by_label("Write profile")).to_be_checked()
    expect(page.get_by_label("Write radios")).not_to_be_checked()
    if javascript:
        # A mistake shows up next to its field as the person types.
        page.get_by_label("Redirect URIs").fill("http://player.example/callback")
        expect(page.locator("#errors-redirect_uris")).to_contain_text(
            "Plain http is only allowed on the loopback addresses"
        )
        page.get_by_label("Redirect URIs").fill("https://player.example/callback")
        expect(page.locator("#errors-redirect_uris")).to_be_empty()
        _screenshot(page, javascript, "new-application")
    page.get_by_label("In 90 days").check()
    page.get_by_role("button", name="Register application").click()

    # The secrets are shown this once.
    expect(page.get_by_role("heading", name="Walk player", exact=True)).to_be_visible()
    expect(page.get_by_text("will not be shown again").first).to_be_visible()
    expect(page.get_by_text("curl -H")).to_be_visible()
    _screenshot(page, javascript, "token-reveal")
    token = _copy_token(page, javascript)
    assert token.startswith("pod_pt_")
    status, me = _api_me(base, token)
    assert status == 200
    assert me["username"] == "alice"

    # A reload shows only the token's prefix.
    page.reload()
    expect(page.locator("#personal-token")).to_have_count(0)
    expect(page.get_by_text(token[:11] + "…")).to_be_visible()

    # Regenerating reveals a new token in place; the old one is refused at once.
    page.get_by_role("button", name="Regenerate token").click()
    if not javascript:
        expect(page.get_by_text("stops working at once")).to_be_visible()
        page.get_by_role("button", name="Regenerate token").click()
    new_token = _copy_token(page, javascript)
    assert new_token != token
    assert _api_me(base, token)[0] == 401
    assert _api_me(base, new_token)[0] == 200

    # An application authorized on the consent screen can be revoked from the list.
    access_token = _authorize_through_consent(page, javascript, base, other)
    assert _api_me(base, access_token)[0] == 200
    page.goto("/settings/applications/")
    row = page.get_by_role("row", name="Radio station")
    expect(row).to_be_visible()
    _screenshot(page, javascript, "applications")
    row.get_by_role("button", name="Revoke access").click()
    if not javascript:
        expect(
            page.get_by_text("would have to ask for your consent again")
        ).to_be_visible()
        page.get_by_role("button", name="Revoke access").click()
    expect(
        page.get_by_text("Radio station can no longer use your account.")
    ).to_be_visible()
    expect(page.get_by_role("row", name="Radio station")).to_have_count(0)
    assert _api_me(base, access_token)[0] == 401

    # Deleting the application ends its token too.
    page.get_by_role("link", name="Walk player").click()
    page.get_by_role("button", name="Delete application").click()
    if not javascript:
        expect(page.get_by_text("This cannot be undone.")).to_be_visible()
        page.get_by_role("button", name="Delete application").click()
    expect(page).to_have_url(f"{base}/settings/applications/")
    expect(page.get_by_text("Walk player is deleted.")).to_be_visible()
    expect(
        page.get_by_text("You have not registered an application yet.")
    ).to_be_visible()
    assert _api_me(base, new_token)[0] == 401
