import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create the demo account of a development pod, or give it a new password, "
        "and print its credentials."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="demo")

    def handle(self, *args: object, username: str, **options: object) -> None:
        password_file = settings.VAR_DIR / f"{username}-password.txt"
        password_file.parent.mkdir(parents=True, exist_ok=True)
        if password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = secrets.token_urlsafe(12)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)

        user_model = get_user_model()
        user, created = user_model._default_manager.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        user.set_password(password)
        user.save(update_fields=["password"])

        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} the demo account. Sign in with username {username!r} and "
            f"password {password!r} (kept in {password_file})."
        )
