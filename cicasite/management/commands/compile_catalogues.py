"""Compile locale/<language>/LC_MESSAGES/django.po into django.mo, with polib (no GNU gettext needed).

The compiled files are committed, so a new machine needs nothing to show the
translated interface; tests/cicasite/test_i18n.py checks that they match the
sources. Fuzzy and untranslated messages are left out, as msgfmt does.

Why not Django's compilemessages: it runs GNU gettext's msgfmt, a system package the site,
the tests and a translator who only edits a .po do not otherwise need; polib is already a
dev requirement (the tests read the catalogues with it). Both give the same messages
(msgfmt's django.mo and this one: 767 entries, equal, checked with polib.mofile).
"""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po to .mo) with polib."

    def handle(self, *args, **options):
        for locale_path in settings.LOCALE_PATHS:
            for po_path in sorted(Path(locale_path).glob("*/LC_MESSAGES/django.po")):
                catalogue = polib.pofile(str(po_path))
                catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
                self.stdout.write(
                    f"{po_path.parent.parent.name}: {len(catalogue.translated_entries())} messages compiled, "
                    f"{len(catalogue.untranslated_entries())} untranslated, {len(catalogue.fuzzy_entries())} fuzzy"
                )
