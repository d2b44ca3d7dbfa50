from typing import Any

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    return {
        "signup_open": settings.PORTAL_SIGNUP_OPEN,
        "portal_base_url": settings.PORTAL_BASE_URL,
    }
