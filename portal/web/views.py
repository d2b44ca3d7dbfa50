"""The settings pages: the account, its applications and the apps it authorized.

Every page works as plain HTML forms (POST, then redirect); with htmx the same
views answer with a named partial of the same template.
"""

import time
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from portal.audit.services import record_reveal
from portal.oauth import redirects, services
from portal.oauth.models import AccessToken, Application
from portal.ratelimit.forms import refuse_form
from portal.ratelimit.http import refusal
from portal.ratelimit.scopes import rate_limit_scope
from portal.web.forms import ApplicationForm, NewApplicationForm

# Secrets wait in the cache (memory or Redis, never the database) for the next
# view of the application's page by the same session, and no longer than this.
REVEAL_SECONDS = 600


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:settings_home")

    return render(request, "home.html")


@require_GET
@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    context = {
        "application_count": Application.objects.filter(user=request.user).count(),
        "security_log_url": reverse("audit:security_log"),
    }
    return render(request, "settings/home.html", context)


def _record_token_reveal(request: HttpRequest, application: Application) -> None:
    token = services.personal_token(application, request.user)
    if token is not None:
        record_reveal(request, application, token)


# Reveal: secrets shown once ------------------------------------------------------


def _reveal_key(request: HttpRequest, application: Application) -> str:
    if request.session.session_key is None:
        request.session.save()
    return f"portal:reveal:{request.session.session_key}:{application.client_id}"


@sensitive_variables("client_secret", "token")
def _stash_reveal(
    request: HttpRequest,
    application: Application,
    *,
    client_secret: str | None = None,
    token: str | None = None,
) -> None:
    """Keep new secrets for the next full view of the application's page only."""
    key = _reveal_key(request, application)
    entry = dict(cache.get(key) or {})
    if client_secret:
        entry["client_secret"] = client_secret
    if token:
        entry["token"] = token
    entry["at"] = int(time.time())
    cache.set(key, entry, REVEAL_SECONDS)


def _take_reveal(request: HttpRequest, application: Application) -> dict[str, Any]:
    """Remove and return the secrets waiting for this page, at most once."""
    key = _reveal_key(request, application)
    entry = cache.get(key)
    # Only the request whose delete removed the entry shows it.
    if entry is None or not cache.delete(key):
        return {}
    if time.time() - entry.get("at", 0) >= REVEAL_SECONDS:
        return {}
    return entry


# Ownership and confirmation ------------------------------------------------------


def _owned_application(request: HttpRequest, client_id: str) -> Application:
    """Return the signed-in user's application, or 404 for anyone else's."""
    return get_object_or_404(Application, client_id=client_id, user=request.user)


def _authorized_application(request: HttpRequest, client_id: str) -> Application:
    """Return an application the signed-in user authorized through OAuth, or 404."""
    return get_object_or_404(
        Application.objects.filter(
            accesstoken__user=request.user,
            accesstoken__kind=AccessToken.Kind.ACCESS,
        ).distinct(),
        client_id=client_id,
    )


def _confirmed(request: HttpRequest) -> bool:
    return request.POST.get("confirmed") == "1"


def _confirm_page(
    request: HttpRequest,
    *,
    title: str,
    losses: list[str],
    button: str,
    cancel_url: str,
) -> HttpResponse:
    """Ask once more before an action that cannot be undone (JavaScript off)."""
    context = {
        "title": title,
        "losses": losses,
        "button": button,
        "action": request.path,
        "cancel_url": cancel_url,
    }
    return render(request, "settings/confirm.html", context)


# Applications ----------------------------------------------------------------------


@require_GET
@login_required
def applications(request: HttpRequest) -> HttpResponse:
    context = {
        "owned": services.owned_applications(request.user),
        "authorized": services.authorized_applications(request.user),
    }
    return render(request, "settings/applications.html", context)


def _prefill(request: HttpRequest) -> dict[str, Any]:
    """Read the form's initial values from a shared link's query string."""
    initial: dict[str, Any] = {}
    if "name" in request.GET:
        initial["name"] = request.GET["name"][:255]
    if "redirect_uris" in request.GET:
        initial["redirect_uris"] = redirects.split_uris(
            " ".join(request.GET.getlist("redirect_uris"))
        )
    if "scopes" in request.GET:
        initial["scopes"] = " ".join(request.GET.getlist("scopes"))
    return initial


def _validating(request: HttpRequest) -> bool:
    return request.method == "GET" and bool(request.htmx) and "validate" in request.GET


@rate_limit_scope(
    anonymous="anonymous-oauth-app",
    authenticated="authenticated-oauth-app",
    methods=["POST"],
    handles_refusal=True,
)
@require_http_methods(["GET", "POST"])
@login_required
def application_new(request: HttpRequest) -> HttpResponse:
    template = "settings/application_new.html"
    if request.method == "POST":
        form = NewApplicationForm(request.POST, user=request.user)
    elif _validating(request):
        form = NewApplicationForm(request.GET, user=request.user)
    else:
        form = NewApplicationForm(initial=_prefill(request), user=request.user)
    form.enable_live_validation(request.path)

    refused = refusal(request)
    if refused is not None:
        refuse_form(form, refused)
        return render(request, template, {"form": form}, status=429)

    if _validating(request):
        form.is_valid()
        return render(request, template + "#form", {"form": form})

    if request.method == "POST":
        if not form.is_valid():
            return render(request, template, {"form": form}, status=400)

        return _register(request, form)

    return render(request, template, {"form": form})


@sensitive_variables("secret", "raw")
def _register(request: HttpRequest, form: NewApplicationForm) -> HttpResponse:
    application, secret = services.create_application(
        name=form.cleaned_data["name"],
        redirect_uris=form.cleaned_data["redirect_uris"],
        scope_ids=form.cleaned_data["scopes"],
        owner=request.user,
        request=request,
    )
    _token, raw = services.issue_personal_token(
        application, request.user, expires=form.token_expires, request=request
    )
    _stash_reveal(request, application, client_secret=secret, token=raw)
    messages.success(request, _("%(name)s is registered.") % {"name": application.name})
    return redirect("web:application_detail", client_id=application.client_id)


def _detail_context(
    request: HttpRequest,
    application: Application,
    *,
    form: ApplicationForm | None = None,
    reveal: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if form is None:
        form = ApplicationForm(
            initial={
                "name": application.name,
                "redirect_uris": application.redirect_uri_list,
                "scopes": application.scope_list,
            },
            user=request.user,
        )
        form.enable_live_validation(request.path)
    last_used = AccessToken.objects.filter(application=application).aggregate(
        last_used=Max("last_used_at")
    )["last_used"]
    return {
        "application": application,
        "token": services.personal_token(application, request.user),
        "last_used": last_used,
        "reveal": reveal or {},
        "form": form,
    }


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def application_detail(request: HttpRequest, client_id: str) -> HttpResponse:
    """The application's page; it shows new secrets once, then only prefixes."""
    application = _owned_application(request, client_id)
    template = "settings/application_detail.html"

    if _validating(request):
        form = ApplicationForm(request.GET, user=request.user)
        form.enable_live_validation(request.path)
        form.is_valid()
        context = {"application": application, "form": form}
        return render(request, template + "#edit_form", context)

    if request.method == "POST":
        form = ApplicationForm(request.POST, user=request.user)
        form.enable_live_validation(request.path)
        if not form.is_valid():
            context = _detail_context(request, application, form=form)
            return render(request, template, context, status=400)

        try:
            services.update_application(
                application,
                actor=request.user,
                request=request,
                name=form.cleaned_data["name"],
                redirect_uris=form.cleaned_data["redirect_uris"],
                scope_ids=form.cleaned_data["scopes"],
            )
        except Application.DoesNotExist:
            raise Http404("The application was deleted.") from None
        messages.success(request, _("Your changes are saved."))
        return redirect("web:application_detail", client_id=application.client_id)

    reveal = _take_reveal(request, application)
    if reveal.get("token"):
        _record_token_reveal(request, application)
    context = _detail_context(request, application, reveal=reveal)
    return render(request, template, context)


def _same_lifetime(previous: AccessToken | None) -> Any:
    """A regenerated token lives as long as the one it replaces was meant to."""
    if previous is None or previous.expires is None:
        return None
    lifetime = max(previous.expires - previous.created, timedelta(days=1))
    return timezone.now() + lifetime


@sensitive_variables("raw")
@never_cache
@require_POST
@login_required
def application_regenerate_token(request: HttpRequest, client_id: str) -> HttpResponse:
    application = _owned_application(request, client_id)
    detail_url = reverse("web:application_detail", args=[application.client_id])
    previous = services.personal_token(application, request.user)
    if previous is not None and not _confirmed(request):
        return _confirm_page(
            request,
            title=_("Regenerate the personal token of %(name)s?")
            % {"name": application.name},
            losses=[_("The current personal token stops working at once.")],
            button=_("Regenerate token"),
            cancel_url=detail_url,
        )

    try:
        _token, raw = services.issue_personal_token(
            application, request.user, expires=_same_lifetime(previous), request=request
        )
    except Application.DoesNotExist:
        raise Http404("The application was deleted.") from None
    if request.htmx:
        _record_token_reveal(request, application)
        context = _detail_context(request, application, reveal={"token": raw})
        context["status_message"] = _("A new token was issued; the old one is revoked.")
        return render(request, "settings/application_detail.html#token", context)

    _stash_reveal(request, application, token=raw)
    messages.success(request, _("A new token was issued; the old one is revoked."))
    return redirect(detail_url)


@sensitive_variables("secret")
@never_cache
@require_POST
@login_required
def application_regenerate_secret(request: HttpRequest, client_id: str) -> HttpResponse:
    application = _owned_application(request, client_id)
    detail_url = reverse("web:application_detail", args=[application.client_id])
    if not _confirmed(request):
        return _confirm_page(
            request,
            title=_("Regenerate the client secret of %(name)s?")
            % {"name": application.name},
            losses=[
                _(
                    "The current client secret stops working at once: the "
                    "application cannot exchange codes or refresh tokens until "
                    "it is given the new one."
                )
            ],
            button=_("Regenerate client secret"),
            cancel_url=detail_url,
        )

    try:
        secret = services.regenerate_client_secret(
            application, actor=request.user, request=request
        )
    except Application.DoesNotExist:
        raise Http404("The application was deleted.") from None
    if request.htmx:
        context = _detail_context(
            request, application, reveal={"client_secret": secret}
        )
        context["status_message"] = _("A new client secret was issued.")
        return render(request, "settings/application_detail.html#secret", context)

    _stash_reveal(request, application, client_secret=secret)
    messages.success(request, _("A new client secret was issued."))
    return redirect(detail_url)


@require_POST
@login_required
def application_delete(request: HttpRequest, client_id: str) -> HttpResponse:
    application = _owned_application(request, client_id)
    if not _confirmed(request):
        return _confirm_page(
            request,
            title=_("Delete %(name)s?") % {"name": application.name},
            losses=_deletion_losses(),
            button=_("Delete application"),
            cancel_url=reverse("web:application_detail", args=[application.client_id]),
        )

    name = application.name
    if not services.delete_application(
        application, actor=request.user, request=request
    ):
        raise Http404("The application was deleted.")

    messages.success(request, _("%(name)s is deleted.") % {"name": name})
    if request.htmx:
        return HttpResponseClientRedirect(reverse("web:applications"))
    return redirect("web:applications")


def _deletion_losses() -> list[str]:
    return [
        _("Its client ID and client secret stop working."),
        _("Its personal token is revoked."),
        _("Everyone who authorized it loses the access they gave."),
        _("This cannot be undone."),
    ]


# Authorized applications -----------------------------------------------------------


def _authorized_answer(request: HttpRequest, message: str) -> HttpResponse:
    if request.htmx:
        context = {
            "authorized": services.authorized_applications(request.user),
            "status_message": message,
        }
        return render(request, "settings/applications.html#authorized", context)

    messages.success(request, message)
    return redirect(reverse("web:applications") + "#authorized")


@require_POST
@login_required
def authorized_revoke(request: HttpRequest, client_id: str) -> HttpResponse:
    application = _authorized_application(request, client_id)
    if not _confirmed(request):
        return _confirm_page(
            request,
            title=_("Revoke the access of %(name)s?") % {"name": application.name},
            losses=[
                _(
                    "It can no longer use your account; it would have to ask for "
                    "your consent again."
                )
            ],
            button=_("Revoke access"),
            cancel_url=reverse("web:applications") + "#authorized",
        )

    services.revoke_authorization(
        request.user, application, actor=request.user, request=request
    )
    message = _("%(name)s can no longer use your account.") % {"name": application.name}
    return _authorized_answer(request, message)


@require_POST
@login_required
def authorized_revoke_all(request: HttpRequest) -> HttpResponse:
    if not _confirmed(request):
        return _confirm_page(
            request,
            title=_("Revoke the access of every application you authorized?"),
            losses=[
                _(
                    "None of them can use your account any more; each would have "
                    "to ask for your consent again."
                ),
                _("The personal tokens of your own applications are kept."),
            ],
            button=_("Revoke all"),
            cancel_url=reverse("web:applications") + "#authorized",
        )

    count = services.revoke_all_authorizations(
        request.user, actor=request.user, request=request
    )
    message = ngettext(
        "The access of %(count)d application is revoked.",
        "The access of %(count)d applications is revoked.",
        count,
    ) % {"count": count}
    return _authorized_answer(request, message)
