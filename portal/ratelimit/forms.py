from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.ratelimit.services import Decision


def wait_text(seconds: int) -> str:
    """Return a rounded-up, translated waiting time such as "3 minutes"."""
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {
            "count": seconds
        }
    if seconds < 3600:
        minutes = -(-seconds // 60)
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {
            "count": minutes
        }
    hours = -(-seconds // 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def refuse_form(form: forms.BaseForm, decision: Decision) -> None:
    """Mark a bound form as refused by a rate limit, without validating it.

    Validation is skipped on purpose: it could check a password or reveal that
    an account exists, which is what the limit slows down. The input stays bound
    so the page shows it again; password inputs never render their value.
    """
    form._errors = ErrorDict(renderer=form.renderer)
    form.cleaned_data = {}
    form.add_error(
        None,
        ValidationError(
            _("Too many attempts. Please wait %(wait)s and try again."),
            code="rate_limited",
            params={"wait": wait_text(decision.reset_seconds)},
        ),
    )
