import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_signs_in_and_out_through_the_real_page(
    page, live_server, owner, password
):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign in").first.click()

    page.get_by_label("Username or e-mail").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("correct username")

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/settings/")
    expect(page.get_by_role("heading", name="Settings")).to_be_visible()
    expect(page.get_by_text("alice@example.com")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/settings/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/settings/")
