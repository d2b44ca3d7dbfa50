import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.ratelimit.rates import DEFAULT_RATES, SCOPES, Rate, env_rates, parse_rate

ROOT = Path(__file__).resolve().parent.parent


def test_every_scope_has_the_documented_default_rate():
    assert DEFAULT_RATES == {
        "anonymous-wildcard": "1000/h",
        "authenticated-wildcard": "2000/h",
        "anonymous-create": "1000/d",
        "authenticated-create": "1000/h",
        "anonymous-list": "10000/d",
        "authenticated-list": "10000/h",
        "anonymous-retrieve": "10000/d",
        "authenticated-retrieve": "10000/h",
        "anonymous-update": "1000/d",
        "authenticated-update": "1000/h",
        "anonymous-destroy": "1000/d",
        "authenticated-destroy": "500/h",
        "anonymous-oauth-app": "10/d",
        "authenticated-oauth-app": "10/h",
        "oauth-authorize": "100/h",
        "oauth-token": "100/h",
        "oauth-revoke-token": "100/h",
        "login": "30/h",
        "signup": "10/d",
        "password-change": "20/h",
    }
    assert all(str(description) for _rate, description in SCOPES.values())


def test_a_rate_reads_count_and_period():
    assert parse_rate("30/h") == Rate(count=30, duration=3600)
    assert parse_rate(" 5 / s ") == Rate(count=5, duration=1)
    assert parse_rate("10/d") == Rate(count=10, duration=86400)
    assert str(parse_rate("7/m")) == "7/m"


def test_overrides_replace_only_the_named_scopes():
    rates = env_rates(
        "THROTTLING_RATES", environ={"THROTTLING_RATES": "login=5/m, signup=2/d,"}
    )

    assert rates["login"] == "5/m"
    assert rates["signup"] == "2/d"
    assert rates["oauth-token"] == "100/h"


def test_no_override_gives_the_defaults():
    assert env_rates("THROTTLING_RATES", environ={}) == DEFAULT_RATES


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("logn=5/m", "unknown scope 'logn' in 'logn=5/m'"),
        ("login=5/w", "bad rate in 'login=5/w'"),
        ("login=five/h", "bad rate in 'login=five/h'"),
        ("login=0/h", "bad rate in 'login=0/h'"),
        ("login=5/h,signup", "'signup' is not scope=count/period"),
    ],
)
def test_a_bad_override_names_the_variable_and_the_entry(value, message):
    with pytest.raises(ImproperlyConfigured, match="THROTTLING_RATES") as error:
        env_rates("THROTTLING_RATES", environ={"THROTTLING_RATES": value})

    assert message in str(error.value)


def test_the_settings_module_refuses_to_start_with_a_bad_override():
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "test",
        "THROTTLING_RATES": "login=30/h,bogus=1/h",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "unknown scope 'bogus' in 'bogus=1/h'" in result.stderr
