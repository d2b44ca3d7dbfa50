from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from portal.accounts.forms import SignInForm, SignUpForm
from portal.ratelimit.forms import refuse_form
from portal.ratelimit.http import limit_extra, refusal
from portal.ratelimit.identity import account_ident
from portal.ratelimit.scopes import rate_limit_scope


class SignInView(auth_views.LoginView):
    """Sign in, limited per client address (middleware) and per account name."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    rate_limit_scopes = {"post": "login"}
    rate_limit_handles_refusal = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = refusal(request) or limit_extra(
            request, "login", account_ident(request.POST.get("username", ""))
        )
        if refused is not None:
            form = self.get_form()
            refuse_form(form, refused)
            return self.render_to_response(self.get_context_data(form=form), status=429)

        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")
    rate_limit_scopes = {"post": "password-change"}
    rate_limit_handles_refusal = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        refused = refusal(request)
        if refused is not None:
            form = self.get_form()
            refuse_form(form, refused)
            return self.render_to_response(self.get_context_data(form=form), status=429)

        return super().post(request, *args, **kwargs)


@rate_limit_scope("signup", methods=["POST"], handles_refusal=True)
@sensitive_post_parameters("password1", "password2")
@csrf_protect
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not settings.PORTAL_SIGNUP_OPEN:
        raise Http404("Sign-up is closed on this pod.")
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)

    form = SignUpForm(request.POST or None)
    refused = refusal(request)
    if refused is not None:
        refuse_form(form, refused)
        return render(request, "accounts/signup.html", {"form": form}, status=429)

    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        return redirect(settings.LOGIN_REDIRECT_URL)

    return render(request, "accounts/signup.html", {"form": form})
