from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portal.audit"
    label = "audit"
    verbose_name = "Security log"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from portal.audit import receivers
        from portal.ratelimit.signals import rate_limit_exceeded

        user_logged_in.connect(receivers.sign_in_succeeded, dispatch_uid="audit")
        user_login_failed.connect(receivers.sign_in_failed, dispatch_uid="audit")
        rate_limit_exceeded.connect(receivers.login_rate_limited, dispatch_uid="audit")
