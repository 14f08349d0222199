"""Reading the admin as a Russian-speaking editor: its visible text, and what of our catalogue is left in English."""

import re
import tempfile
from html.parser import HTMLParser

import polib

from cicasite.core.models import StaffPreferences
from tests.cicasite.test_i18n import CATALOGUE

MEDIA = tempfile.mkdtemp(prefix="cica-test-media-")


class VisibleText(HTMLParser):
    """What a reader sees or hears: text outside <script>, <style> and <textarea> (record content), plus
    alt, title, placeholder and aria-label attributes and the labels of buttons."""

    SKIP = {"script", "style", "textarea"}
    VOID = {"br", "input", "img", "meta", "link", "hr", "source"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        self.parts += [attrs[name] for name in ("alt", "title", "placeholder", "aria-label") if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not self.SKIP.intersection(self.stack):
            self.parts.append(data)


def visible_text(response):
    parser = VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _english_pieces():
    """(msgid, a piece of it) for every message of our catalogue whose Russian differs: the literal text
    between placeholders, long enough (15 characters and a space) not to occur by chance in record names."""
    pieces = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or not entry.translated():
            continue
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(r"%\(\w+\)[sd]|\{\w*\}|[“”«»]", msgid):
                piece = " ".join(piece.split())
                proper_name = all(word[:1].isupper() for word in piece.split())  # "Think Tank Forum": also content
                if len(piece) >= 15 and " " in piece and not proper_name and piece not in (entry.msgstr or ""):
                    pieces.append((msgid, piece))
    return pieces


ENGLISH_PIECES = _english_pieces()


def untranslated(response):
    """Messages of our own code (templates and Python) that the page shows in English."""
    text = visible_text(response)
    return sorted({msgid for msgid, piece in ENGLISH_PIECES if piece in text})


def prefer(user, language):
    StaffPreferences.objects.update_or_create(user=user, defaults={"language": language})
