"""manage.py dev_admin (make admin): a superuser for development, with a fresh random password.

Development only: it refuses unless DEBUG is on and the development secret key is in use, so it
can never hand out an account on a configured deployment (production accounts: createsuperuser,
create_staff_user).
"""

import secrets

from axes.utils import reset as reset_lockouts
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Development only: create or reset a superuser and print the admin's address, the username and "
        "a new random password. Refused unless DJANGO_DEBUG=1 with the development secret key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", type=str, default="admin")
        parser.add_argument(
            "--site", type=str, default="", help="The address the site is served at (default: SITE_URL)."
        )

    def handle(self, *args, username, site, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refused: dev_admin is for development (DJANGO_DEBUG=1) only. In production use "
                "manage.py createsuperuser or create_staff_user."
            )
        if not settings.SECRET_KEY.startswith("django-insecure"):
            raise CommandError(
                "Refused: SECRET_KEY is set, so this looks like a configured deployment, not a development "
                "checkout. Use manage.py createsuperuser or create_staff_user."
            )
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        created = user.pk is None
        password = secrets.token_urlsafe(16)
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        user.save()
        reset_lockouts(username=username)  # earlier failed logins must not lock the new password out
        address = (site or settings.SITE_URL).rstrip("/") + "/admin/"
        self.stdout.write(
            f"{'Created' if created else 'Reset'} the development superuser (a new password on every run):\n"
            f"  address:  {address}\n"
            f"  username: {username}\n"
            f"  password: {password}"
        )
