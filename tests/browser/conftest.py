import os
import shutil

import pytest

# Playwright's synchronous API runs an event loop in the test thread; the ORM
# calls the tests make for setup are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch a system Chromium when there is one, else Playwright's own."""
    args = {**browser_type_launch_args, "headless": True}
    executable = os.environ.get("PORTAL_CHROMIUM") or next(
        filter(None, map(shutil.which, ("chromium", "chromium-browser"))), None
    )
    if executable:
        args["executable_path"] = executable
        args["args"] = [*args.get("args", []), *CHROMIUM_FLAGS]
    return args


@pytest.fixture
def signed_in_page(page, live_server, owner, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username or e-mail").fill(owner.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/settings/")
    return page
