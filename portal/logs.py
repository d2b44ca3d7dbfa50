"""Keep secrets out of log records.

oauthlib and django-oauth-toolkit log request details at DEBUG, tokens and
codes included. The portal pins their loggers to WARNING, and in case an
operator turns them up anyway, scrubs every record they emit before any handler
sees it: token values keep their public prefix only, and values of secret
parameters (code, tokens, client secret, verifier, password) are replaced.
"""

import logging
import re

_TOKEN = re.compile(r"\b(pod_(?:at|rt|pt)_[A-Za-z0-9_\-]{4})[A-Za-z0-9_\-]+")
_SECRET_PARAMETER = re.compile(
    r"""(?P<name>['"]?(?:code|access_token|refresh_token|client_secret|"""
    r"""code_verifier|password|token)['"]?\s*[:=]\s*['"]?)(?P<value>[^'"\s,&}\]]+)""",
    re.IGNORECASE,
)
REDACTED = "[redacted]"
NOISY_LOGGERS = ("oauthlib", "oauth2_provider")


def redact(text: str) -> str:
    """Return ``text`` with token values and secret parameter values hidden."""
    text = _TOKEN.sub(r"\1…", text)
    return _SECRET_PARAMETER.sub(lambda match: match["name"] + REDACTED, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record must not leak either
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True


class WithoutTraceback(logging.Filter):
    """Drop the exception from a record, keeping its message.

    For the template engine's records: the exception of a failed variable lookup
    quotes the whole template context, which may hold a secret being revealed.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def install() -> None:
    """Attach the filter to every logger of the libraries that log secrets."""
    scrubber = RedactSecrets()
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in NOISY_LOGGERS:
            logger = logging.getLogger(name)
            if not any(isinstance(f, RedactSecrets) for f in logger.filters):
                logger.addFilter(scrubber)
