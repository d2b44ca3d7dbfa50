"""Settings of the portal, read from the environment through ``portal.env``.

The defaults run a single process on an embedded SQLite file and the local-memory
cache. ``DATABASE_URL`` and ``REDIS_URL`` move the same code onto PostgreSQL and
Redis for several worker processes.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from portal.env import env_bool, env_int, env_list, env_origin, env_str, env_url
from portal.ratelimit.rates import env_rates

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DJANGO_DEBUG", False)

if DEBUG:
    # A throwaway key keeps the development server one command away; a production
    # process without DJANGO_SECRET_KEY refuses to start.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", get_random_secret_key())
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY")

PORTAL_BASE_URL = env_origin("PORTAL_BASE_URL", "http://127.0.0.1:8000")
_base = urlsplit(PORTAL_BASE_URL)
PORTAL_HTTPS = _base.scheme == "https"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [_base.hostname or "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = [PORTAL_BASE_URL]

PORTAL_SIGNUP_OPEN = env_bool("PORTAL_SIGNUP_OPEN", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "portal.accounts",
    "portal.ratelimit",
    "portal.audit",
    "portal.oauth",
    "portal.api",
    "portal.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "portal.ratelimit.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.web.context_processors.portal",
            ],
        },
    },
]

# Database: an embedded SQLite file by default, PostgreSQL through DATABASE_URL.
_default_database = f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"
DATABASE_URL = env_url(
    "DATABASE_URL",
    _default_database,
    schemes=("sqlite", "postgres", "postgresql", "pgsql"),
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
    }
    # Opening a SQLite connection (and setting its pragmas) costs more than a
    # token lookup: keep it for the life of the worker thread.
    DATABASES["default"]["CONN_MAX_AGE"] = None
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Server-side parameters and prepared statements: psycopg prepares a query
    # a connection has run five times, the bearer path's token lookup first, and
    # PostgreSQL stops parsing and planning it (docs/performance.md). Behind a
    # pooler in transaction mode, turn them off with PORTAL_DB_PREPARE=false.
    if env_bool("PORTAL_DB_PREPARE", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: local memory (one process) by default; Redis is shared by every worker.
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("PORTAL_CACHE_PREFIX", "portal"),
            # A hung Redis must not hang requests: the rate limiter fails open.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "portal",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Rate limiting: every request counted in one scope, in the cache above. See
# portal/ratelimit/rates.py for the scopes and their default rates.
THROTTLING_ENABLED = env_bool("THROTTLING_ENABLED", True)
THROTTLING_RATES = env_rates("THROTTLING_RATES")
THROTTLING_TRUSTED_PROXIES = env_int("THROTTLING_TRUSTED_PROXIES", 0, minimum=0)
THROTTLING_FAIL_OPEN = env_bool("THROTTLING_FAIL_OPEN", True)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["portal.accounts.backends.UsernameOrEmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:settings_home"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", f"portal@{_base.hostname}")

# Security headers. The policy holds in development too, so a page that would
# break under it breaks on the developer's machine first.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PORTAL_HTTPS
CSRF_COOKIE_SECURE = PORTAL_HTTPS
SECURE_HSTS_SECONDS = 31536000 if PORTAL_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PORTAL_HTTPS
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env_bool("PORTAL_BEHIND_TLS_PROXY", False)
    else None
)
SECURE_SSL_REDIRECT = PORTAL_HTTPS and env_bool("PORTAL_SSL_REDIRECT", False)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("PORTAL_MAX_BODY_BYTES", 256 * 1024, minimum=1024)

# ``form-action`` is left out on purpose: the consent form's POST is answered by a
# redirect to the client's own origin, which Chromium would block under it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "filters": {
        "without_traceback": {"()": "portal.logs.WithoutTraceback"},
    },
    "root": {"handlers": ["console"], "level": env_str("PORTAL_LOG_LEVEL", "INFO")},
    "loggers": {
        # oauthlib logs request bodies (codes, secrets) at DEBUG.
        "oauthlib": {"level": "WARNING"},
        "oauth2_provider": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
        # The template engine logs a missing variable at DEBUG with an exception
        # that holds the page's whole context: secrets shown once included.
        "django.template": {"level": "INFO", "filters": ["without_traceback"]},
    },
}

# OAuth 2.0 (django-oauth-toolkit). The portal's models store tokens and codes as
# digests only; see docs/security.md.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth.Application"
OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL = "oauth.AccessToken"
OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL = "oauth.RefreshToken"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth.Grant"
PORTAL_ACCESS_TOKEN_SECONDS = env_int("PORTAL_ACCESS_TOKEN_SECONDS", 36000, minimum=60)
PORTAL_CODE_SECONDS = env_int("PORTAL_CODE_SECONDS", 120, minimum=10)
PORTAL_TOKEN_RETENTION_DAYS = env_int("PORTAL_TOKEN_RETENTION_DAYS", 90, minimum=1)
PORTAL_AUDIT_RETENTION_DAYS = env_int("PORTAL_AUDIT_RETENTION_DAYS", 365, minimum=1)
if PORTAL_CODE_SECONDS > 300:
    raise ImproperlyConfigured("PORTAL_CODE_SECONDS must be at most 300 (5 minutes).")
OAUTH2_PROVIDER = {
    "OAUTH2_VALIDATOR_CLASS": "portal.oauth.validators.PortalValidator",
    "SCOPES_BACKEND_CLASS": "portal.oauth.scopes.CatalogueScopes",
    "ACCESS_TOKEN_GENERATOR": "portal.oauth.tokens.generate_access_token",
    "REFRESH_TOKEN_GENERATOR": "portal.oauth.tokens.generate_refresh_token",
    "ACCESS_TOKEN_EXPIRE_SECONDS": PORTAL_ACCESS_TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": PORTAL_CODE_SECONDS,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "PKCE_REQUIRED": True,
    "OIDC_ISS_ENDPOINT": PORTAL_BASE_URL,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "APPLICATION_ADMIN_CLASS": "portal.oauth.admin.ApplicationAdmin",
    "ACCESS_TOKEN_ADMIN_CLASS": "portal.oauth.admin.AccessTokenAdmin",
    "REFRESH_TOKEN_ADMIN_CLASS": "portal.oauth.admin.RefreshTokenAdmin",
    "GRANT_ADMIN_CLASS": "portal.oauth.admin.GrantAdmin",
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.BearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.api.permissions.TokenHasScope"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.handle",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pod portal API",
    "DESCRIPTION": "OAuth applications, grants and tokens of a Funkwhale-style pod.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
