"""Redirect URI rules: what an application may register and how requests match.

Registration accepts https URLs, http URLs on the loopback IP literals only
(RFC 8252 §7.3, §8.3), private-use schemes in reverse domain form (RFC 8252 §7.1)
and the out-of-band URIs. Matching is exact string comparison (RFC 9700 §4.1.3),
except that a loopback redirect may use any port (RFC 8252 §7.3).
"""

import re
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

OOB = "urn:ietf:wg:oauth:2.0:oob"
OOB_AUTO = "urn:ietf:wg:oauth:2.0:oob:auto"
OOB_URIS = (OOB, OOB_AUTO)
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]")
MAX_LENGTH = 2000
MAX_COUNT = 20

_PRIVATE_SCHEME = re.compile(r"^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$")
_FORBIDDEN_CHARS = re.compile(r"[\s\x00-\x1f\x7f\\<>\"{}|^`]")


class InvalidRedirectURI(ValueError):
    pass


def split_uris(value: str | list[str] | None) -> list[str]:
    """Split a space- or newline-separated list, dropping blanks and duplicates."""
    if value is None:
        return []
    items = value.split() if isinstance(value, str) else value
    return list(dict.fromkeys(item.strip() for item in items if item.strip()))


def validate(uri: str) -> str:
    """Return ``uri`` if an application may register it, else raise."""
    if len(uri) > MAX_LENGTH:
        raise InvalidRedirectURI(_("A redirect URI may be at most 2000 characters."))
    if _FORBIDDEN_CHARS.search(uri):
        raise InvalidRedirectURI(_("A redirect URI may not contain spaces or quotes."))
    if uri in OOB_URIS:
        return uri

    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        raise InvalidRedirectURI(_("This is not a valid URI.")) from None
    scheme = parts.scheme
    if not scheme:
        raise InvalidRedirectURI(_("A redirect URI must be absolute."))
    if parts.fragment or "#" in uri:
        raise InvalidRedirectURI(_("A redirect URI may not contain a fragment."))
    if parts.username is not None or "@" in parts.netloc:
        raise InvalidRedirectURI(_("A redirect URI may not contain user information."))
    if ";" in parts.path:
        raise InvalidRedirectURI(_("A redirect URI may not contain path parameters."))

    if scheme == "https":
        if not parts.hostname:
            raise InvalidRedirectURI(_("An https redirect URI needs a host."))
        return uri
    if scheme == "http":
        host = parts.netloc.rsplit(":", 1)[0] if port is not None else parts.netloc
        if host not in LOOPBACK_HOSTS:
            raise InvalidRedirectURI(
                _(
                    "Plain http is only allowed on the loopback addresses "
                    "http://127.0.0.1 and http://[::1]; use https."
                )
            )
        return uri
    if _PRIVATE_SCHEME.match(scheme):
        if parts.netloc:
            raise InvalidRedirectURI(
                _("A private-use redirect URI takes the form com.example.app:/path.")
            )
        return uri
    raise InvalidRedirectURI(
        _(
            "Use https, http on a loopback address, a private-use scheme in reverse "
            "domain form (com.example.app:/callback) or urn:ietf:wg:oauth:2.0:oob."
        )
    )


def _is_port(text: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts "²" and other scripts' digits.
    return text.isascii() and text.isdigit() and len(text) <= 5 and int(text) < 65536


def _without_loopback_port(uri: str) -> str | None:
    """Return a loopback http URI with its port removed, or None for other URIs."""
    if not uri.startswith("http://"):
        return None
    rest = uri[len("http://") :]
    authority, slash, path = rest.partition("/")
    for host in LOOPBACK_HOSTS:
        if authority == host:
            return f"http://{host}{slash}{path}"
        port = authority[len(host) + 1 :]
        if authority.startswith(host + ":") and _is_port(port):
            return f"http://{host}{slash}{path}"
    return None


def matches(requested: str, registered: list[str]) -> bool:
    """Tell whether a requested redirect URI matches one registered exactly."""
    if not requested or len(requested) > MAX_LENGTH:
        return False
    if requested in registered:
        return True
    if requested == OOB_AUTO and OOB in registered:
        return True
    loopback = _without_loopback_port(requested)
    if loopback is None:
        return False
    return any(_without_loopback_port(uri) == loopback for uri in registered)


def is_oob(uri: str) -> bool:
    return uri in OOB_URIS
