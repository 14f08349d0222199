"""Print the tokens a username and an address appear as in the logs of failed logins (cicasite.core.logs).

The logs never hold a username or an address of a failed login, only keyed hashes of them; whoever
holds the key (LOG_HASH_KEY, else SECRET_KEY) computes the tokens to look for:

    manage.py log_token --username erin --address 203.0.113.5
"""

from django.core.management.base import BaseCommand, CommandError

from cicasite.core.logs import address_token, normalise_username, user_token


class Command(BaseCommand):
    help = "Print the log tokens of a username and/or an address (failed logins are logged as these)."

    def add_arguments(self, parser):
        parser.add_argument("--username", type=str, help="A username as typed (normalised as the logs do).")
        parser.add_argument("--address", type=str, help="A client address, e.g. 203.0.113.5.")

    def handle(self, *args, username, address, **options):
        if username is None and address is None:
            raise CommandError("Give --username, --address or both.")
        if username is not None:
            self.stdout.write(f"user_token {user_token(username)}  (username {normalise_username(username)!r})")
        if address is not None:
            self.stdout.write(f"address_token {address_token(address)}  (address {address.strip().lower()!r})")
