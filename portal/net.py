"""The client address of a request, shared by the rate limiter, the audit log
and the token activity record."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Return the client address, trusting ``THROTTLING_TRUSTED_PROXIES`` proxies.

    With N trusted proxies in front, the last proxy is ``REMOTE_ADDR`` and the
    client is the N-th address from the right of ``X-Forwarded-For``; entries
    further left are written by the client and never trusted.
    """
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = settings.THROTTLING_TRUSTED_PROXIES
    if proxies <= 0:
        return remote

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    if not hops:
        return remote

    candidate = hops[-proxies] if len(hops) >= proxies else hops[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
