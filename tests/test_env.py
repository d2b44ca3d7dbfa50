import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_origin, env_str, env_url


def test_env_bool_reads_the_usual_spellings():
    assert env_bool("X", False, environ={"X": "yes"}) is True
    assert env_bool("X", True, environ={"X": "Off"}) is False
    assert env_bool("X", True, environ={}) is True


def test_env_bool_rejects_anything_else_and_names_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG", False, environ={"DJANGO_DEBUG": "maybe"})


def test_env_int_rejects_text_and_values_below_the_minimum():
    with pytest.raises(ImproperlyConfigured, match="PORTAL_N must be an integer"):
        env_int("PORTAL_N", 1, environ={"PORTAL_N": "ten"})
    with pytest.raises(ImproperlyConfigured, match="PORTAL_N must be at least 5"):
        env_int("PORTAL_N", 10, minimum=5, environ={"PORTAL_N": "4"})
    assert env_int("PORTAL_N", 10, environ={"PORTAL_N": "42"}) == 42


def test_env_str_without_value_or_default_fails_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is required"):
        env_str("DJANGO_SECRET_KEY", environ={"DJANGO_SECRET_KEY": "  "})


def test_env_list_splits_on_commas_and_drops_blanks():
    value = env_list("H", [], environ={"H": "a.example, ,b.example,"})
    assert value == ["a.example", "b.example"]


@pytest.mark.parametrize(
    "value",
    ["ftp://pod.example", "pod.example", "https://pod.example/path", "https://"],
)
def test_env_origin_rejects_what_is_not_an_origin(value):
    with pytest.raises(ImproperlyConfigured, match="PORTAL_BASE_URL"):
        env_origin("PORTAL_BASE_URL", "http://x", environ={"PORTAL_BASE_URL": value})


def test_env_origin_drops_a_trailing_slash():
    origin = env_origin("B", "http://x", environ={"B": "https://pod.example/"})
    assert origin == "https://pod.example"


def test_env_url_rejects_other_schemes_without_echoing_the_value():
    with pytest.raises(ImproperlyConfigured) as raised:
        env_url(
            "DATABASE_URL",
            None,
            schemes=("postgres",),
            environ={"DATABASE_URL": "mysql://user:hunter2@db/x"},
        )
    assert "DATABASE_URL" in str(raised.value)
    assert "hunter2" not in str(raised.value)
