"""manage.py create_staff_user NAME --role editor|publisher: an admin account in one of the two groups."""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cicasite.core.roles import EDITOR, PUBLISHER, ensure_groups

ROLES = {"editor": EDITOR, "publisher": PUBLISHER}


class Command(BaseCommand):
    help = (
        "Create (or update) a staff account that is an Editor (drafts) or a Publisher (publishes, schedules, "
        "unpublishes, deletes). The password is asked for, or read from STAFF_PASSWORD with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", type=str)
        parser.add_argument("--role", choices=sorted(ROLES), required=True)
        parser.add_argument("--email", type=str, default="")
        parser.add_argument("--no-input", action="store_true", help="Read the password from STAFF_PASSWORD.")

    def handle(self, *args, username, role, email, no_input, **options):
        if no_input:
            password = os.environ.get("STAFF_PASSWORD", "")
            if not password:
                raise CommandError("Set STAFF_PASSWORD (or leave out --no-input to be asked).")
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        user_model = get_user_model()
        user = user_model.objects.filter(username=username).first() or user_model(username=username)
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        groups = ensure_groups()
        created = user.pk is None
        user.email = email or user.email
        user.is_staff = True
        user.is_active = True
        user.set_password(password)
        user.save()
        user.groups.remove(*groups.values())
        user.groups.add(groups[ROLES[role]])
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username}: staff, group {ROLES[role]}. Log in at /admin/.")
