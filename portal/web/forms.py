"""Forms of the settings pages: registering and editing an application."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.oauth import redirects, scopes

NAME_MAX_LENGTH = 255
EXPIRY_DAYS = (30, 90, 365)
LIVE_FIELDS = ("name", "redirect_uris", "token_expires_on")


class RedirectURIsField(forms.CharField):
    """One redirect URI per line, each checked by ``portal.oauth.redirects``."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false"})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return redirects.split_uris(super().to_python(value))

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(value) > redirects.MAX_COUNT:
            raise ValidationError(
                _("Register at most %(count)d redirect URIs."),
                code="too_many",
                params={"count": redirects.MAX_COUNT},
            )
        errors = []
        for uri in value:
            try:
                redirects.validate(uri)
            except redirects.InvalidRedirectURI as error:
                errors.append(
                    ValidationError(
                        _("%(uri)s: %(reason)s"),
                        code="invalid_uri",
                        params={"uri": uri, "reason": str(error)},
                    )
                )
        if errors:
            raise ValidationError(errors)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value


class ScopesField(forms.Field):
    """The scope picker's checkboxes: leaf ids, and ``read``/``write`` parents.

    The value is the list of ids ``scopes.parse`` accepts, with children left
    out when their parent is chosen (the parent already implies them). A query
    string may give the same ids as one space-separated string.
    """

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose at least one permission."),
        "unknown": _("Unknown permission: %(ids)s."),
        "not_allowed": _("Your account may not hold: %(ids)s."),
    }

    def __init__(self, *, user: Any = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        items = [part for item in value for part in str(item).split()]
        try:
            ids = scopes.parse(items)
        except scopes.InvalidScope as error:
            raise ValidationError(
                self.error_messages["unknown"],
                code="unknown",
                params={"ids": ", ".join(error.unknown)},
            ) from None
        parents = [scope_id for scope_id in ids if scope_id in scopes.PARENTS]
        return [
            scope_id
            for scope_id in ids
            if scope_id in scopes.PARENTS
            or scopes.LEAVES[scope_id].access not in parents
        ]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        held = scopes.user_may_hold(self.user)
        refused = [
            scope_id
            for scope_id in value
            if scope_id in scopes.LEAVES and scope_id not in held
        ]
        if refused:
            raise ValidationError(
                self.error_messages["not_allowed"],
                code="not_allowed",
                params={"ids": ", ".join(refused)},
            )


class ApplicationForm(forms.Form):
    """What an application is: its name, where it may send users, what it asks."""

    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Shown to people when the application asks for their consent."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    redirect_uris = RedirectURIsField(
        label=_("Redirect URIs"),
        help_text=_(
            "One per line. Use <code>urn:ietf:wg:oauth:2.0:oob</code> for an "
            "application that is not served on the web: the user is shown a code "
            "to paste into it. A desktop application listening on the loopback "
            "interface registers <code>http://127.0.0.1/callback</code> and may "
            "use any port (<code>http://127.0.0.1:PORT/callback</code>)."
        ),
    )
    scopes = ScopesField(label=_("Permissions"))

    def __init__(
        self,
        *args: Any,
        user: AbstractBaseUser | AnonymousUser | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["scopes"].user = user

    def enable_live_validation(self, url: str) -> None:
        """Check the typed fields as the user types, without saving.

        Each input asks the page for its own errors (``validate=1`` on a GET,
        so that no rate limit of the submission is spent) and swaps only its
        error block in: the input itself is never replaced under the user's
        fingers.
        """
        for name in LIVE_FIELDS:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            widget.attrs.update(
                {
                    "hx-get": url,
                    "hx-trigger": "input changed delay:400ms, change",
                    "hx-include": "closest form",
                    "hx-params": "not csrfmiddlewaretoken",
                    "hx-vals": '{"validate": "1"}',
                    "hx-target": f"#errors-{name}",
                    "hx-select": f"#errors-{name} > *",
                    "hx-swap": "innerHTML",
                }
            )

    @property
    def selected_scopes(self) -> list[str]:
        """The ids the scope picker shows ticked: the input, else the initial."""
        if self.is_bound:
            raw: Iterable[str] = self.data.getlist("scopes")
        else:
            raw = self.initial.get("scopes") or []
            if isinstance(raw, str):
                raw = [raw]
        return [part for item in raw for part in str(item).split()]


class NewApplicationForm(ApplicationForm):
    """Registration adds when the owner's personal token expires."""

    NEVER = "never"
    ON_DATE = "date"

    token_expiry = forms.ChoiceField(
        label=_("Personal token expires"),
        choices=[
            (NEVER, _("Never")),
            *[
                (str(days), _("In %(days)d days") % {"days": days})
                for days in EXPIRY_DAYS
            ],
            (ON_DATE, _("On a date")),
        ],
        initial=NEVER,
        widget=forms.RadioSelect,
    )
    token_expires_on = forms.DateField(
        label=_("Expiry date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "Used when “On a date” is chosen; the token stops at midnight UTC."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        choice = cleaned.get("token_expiry")
        on = cleaned.get("token_expires_on")
        if choice == self.ON_DATE:
            if on is None:
                if "token_expires_on" not in self.errors:
                    self.add_error(
                        "token_expires_on",
                        ValidationError(
                            _("Choose the day the token stops working."),
                            code="required",
                        ),
                    )
            elif on <= timezone.now().date():
                self.add_error(
                    "token_expires_on",
                    ValidationError(_("Choose a day after today."), code="in_the_past"),
                )
        return cleaned

    @property
    def token_expires(self) -> datetime | None:
        """When the personal token stops working, from the cleaned data."""
        choice = self.cleaned_data["token_expiry"]
        if choice == self.NEVER:
            return None
        if choice == self.ON_DATE:
            on = self.cleaned_data["token_expires_on"]
            return datetime(on.year, on.month, on.day, tzinfo=UTC)
        return timezone.now() + timedelta(days=int(choice))
