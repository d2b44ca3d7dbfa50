from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


class UsernameOrEmailBackend(ModelBackend):
    """Authenticate with a username or an e-mail address and a password.

    A username is tried first; an address matches only when exactly one account
    uses it, so a shared address can never sign into an arbitrary account.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        if username is None or password is None:
            return None

        user_model = get_user_model()
        user = user_model._default_manager.filter(username__iexact=username).first()
        if user is None and "@" in username:
            matches = list(
                user_model._default_manager.filter(email__iexact=username)[:2]
            )
            user = matches[0] if len(matches) == 1 else None
        if user is None:
            # Spend the time of a hash anyway so timing does not reveal accounts.
            user_model().set_password(password)
            return None

        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
