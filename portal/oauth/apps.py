from django.apps import AppConfig


class OAuthConfig(AppConfig):
    name = "portal.oauth"
    label = "oauth"
    verbose_name = "OAuth"

    def ready(self) -> None:
        # Imported here: the loggers exist once oauthlib's modules are loaded.
        import oauthlib.oauth2  # noqa: F401

        from portal import logs

        logs.install()
