import pytest

from portal.oauth.redirects import InvalidRedirectURI, matches, validate

REGISTERED = [
    "https://client.example/callback",
    "http://127.0.0.1/cb",
    "http://[::1]:8080/cb",
    "com.example.app:/oauth",
    "urn:ietf:wg:oauth:2.0:oob",
]


@pytest.mark.parametrize(
    "uri",
    [
        "https://client.example/callback",
        "https://client.example/callback?tenant=1",
        "http://127.0.0.1:43123/cb",
        "http://[::1]/cb",
        "com.example.app:/oauth",
        "urn:ietf:wg:oauth:2.0:oob",
        "urn:ietf:wg:oauth:2.0:oob:auto",
    ],
)
def test_it_accepts_the_supported_kinds_of_redirect(uri):
    assert validate(uri) == uri


@pytest.mark.parametrize(
    "uri",
    [
        "http://client.example/callback",
        "http://localhost/cb",
        "https://client.example/cb#fragment",
        "https://user@client.example/cb",
        "https://client.example/cb;jsessionid=1",
        "javascript:alert(1)",
        "data:text/html,hi",
        "myapp:/cb",
        "/relative/path",
        "https:///nohost",
        "https://client.example/a b",
        "https://client.example:99999/cb",
        "https://client.example/" + "a" * 2100,
    ],
)
def test_it_refuses_unsafe_redirects(uri):
    with pytest.raises(InvalidRedirectURI):
        validate(uri)


@pytest.mark.parametrize(
    "requested",
    [
        "https://client.example/callback",
        "http://127.0.0.1:5000/cb",
        "http://127.0.0.1/cb",
        "http://[::1]:9999/cb",
        "http://[::1]/cb",
        "com.example.app:/oauth",
        "urn:ietf:wg:oauth:2.0:oob:auto",
    ],
)
def test_registered_redirects_match_exactly_or_on_loopback_port(requested):
    assert matches(requested, REGISTERED)


@pytest.mark.parametrize(
    "requested",
    [
        "https://client.example/callback?extra=1",
        "https://client.example/callback#frag",
        "https://client.example/callback/",
        "https://CLIENT.example/callback",
        "https://client.example/Callback",
        "https://client.example/callback;x=1",
        "https://evil@client.example/callback",
        "https://client.example.evil.example/callback",
        "https://client.example:443/callback",
        "https://client.example/callback/../callback",
        "https://client.example/%63allback",
        "http://127.0.0.1:5000/cb/extra",
        "http://127.0.0.1:5000/cb?x=1",
        "http://127.0.0.1:abc/cb",
        "http://localhost:5000/cb",
        "http://127.0.0.2/cb",
        "https://127.0.0.1/cb",
        "com.example.app:/oauth/x",
        "",
    ],
)
def test_lookalike_redirects_do_not_match(requested):
    assert not matches(requested, REGISTERED)
