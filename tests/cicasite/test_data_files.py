"""The shipped data files: built from the fact sheet, translated in full, free of drafting notes.

The fact sheet lives outside the repository (../shared/data beside the clone; CI keeps a
read-only copy there). Only this test reads it; the site never does.
"""

import copy
import json
import re
import unittest
from pathlib import Path

from django.conf import settings

from scripts import build_from_shared, check_ru

DATA_DIR = Path(settings.BASE_DIR) / "cicasite" / "data"
SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"
EN = json.loads((DATA_DIR / "cica.json").read_text(encoding="utf-8"))
RU = json.loads((DATA_DIR / "cica.ru.json").read_text(encoding="utf-8"))


def texts(tree):
    if isinstance(tree, dict):
        for value in tree.values():
            yield from texts(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from texts(value)
    elif isinstance(tree, str):
        yield tree


class DataFileTests(unittest.TestCase):
    @unittest.skipUnless(
        (SHARED_DATA / "cica.json").exists(),
        f"the fact sheet is not beside the clone ({SHARED_DATA}): cannot compare the data file with it",
    )
    def test_data_file_is_what_build_from_shared_makes_of_the_fact_sheet(self):
        built = build_from_shared.build(SHARED_DATA)
        self.assertEqual(
            EN,
            json.loads(json.dumps(built, ensure_ascii=False)),
            "cicasite/data/cica.json drifted from the fact sheet: run "
            "`.venv/bin/python scripts/build_from_shared.py ../shared/data` and update cica.ru.json",
        )

    def test_russian_file_has_every_text_and_nothing_else(self):
        _found, _total, missing, stale, _same = check_ru.check(EN, RU)
        self.assertEqual(missing, [], "texts of cica.json without Russian (python3 scripts/check_ru.py)")
        self.assertEqual(stale, [], "keys of cica.ru.json that match nothing in cica.json")

    def test_russian_check_reports_a_missing_and_an_extra_key(self):
        ru = copy.deepcopy(RU)
        del ru["initiatives"]["cica-media-bank"]["author"]
        ru["members"]["kazakhstan"]["motto"] = "лишний ключ"
        _found, _total, missing, stale, _same = check_ru.check(EN, ru)
        self.assertEqual(missing, [("initiatives", ("cica-media-bank", "author"))])
        self.assertEqual(stale, [("members", ("kazakhstan", "motto"))])

    def test_no_drafting_note_in_the_data_files(self):
        """Texts speak of CICA and the sources, never of how the data set was drafted."""
        drafting = re.compile(r"\bseed\b|исходн\w* стат", re.IGNORECASE)
        for name, tree in (("cica.json", EN), ("cica.ru.json", RU)):
            found = [text for text in texts(tree) if drafting.search(text)]
            self.assertEqual(found, [], name)

    def test_commentary_proposals_carry_their_author_and_source(self):
        ideas = [i for i in EN["initiatives"] if i["proposed_by"] == "commentary"]
        self.assertEqual(len(ideas), 5)
        for idea in ideas:
            self.assertIn("Khan", idea["author"])
            self.assertEqual(idea["sources"], ["S01"])
            self.assertIsNone(idea["chairmanship"])
            self.assertIn("Хан", RU["initiatives"][idea["slug"]]["author"])

    def test_every_secretariat_head_and_organ_keeps_verified_and_sources(self):
        for section in ("secretariat_heads", "organs"):
            for record in EN[section]:
                self.assertIn(record["verified"], (True, False), record)
                self.assertTrue(record["sources"], record)
        unverified = {h["key"] for h in EN["secretariat_heads"] if not h["verified"]}
        self.assertEqual(unverified, {"Jandos Asanov", "Çınar Aldemir", "Gong Jianwei"})

    def test_a_head_whose_title_changed_has_a_row_per_title(self):
        heads = EN["secretariat_heads"]
        sarybay = [(h["title"], h["start_year"], h["end_year"]) for h in heads if h["name"] == "Kairat Sarybay"]
        self.assertEqual(sarybay, [("Executive Director", 2020, 2022), ("Secretary General", 2022, None)])

    def test_the_secretariat_card_cites_the_sources_of_its_details(self):
        secretariat = next(o for o in EN["organs"] if o["slug"] == "secretariat")
        self.assertIn("55/20 Mangilik Yel", secretariat["body"])
        self.assertIn("S49", secretariat["sources"])  # the address

    def test_un_observer_status_is_cicas_not_the_secretariats(self):
        secretariat = next(o for o in EN["organs"] if o["slug"] == "secretariat")
        self.assertNotIn("UN General Assembly", secretariat["body"])
        self.assertNotIn("ООН", RU["organs"]["secretariat"]["body"])
        self.assertIn("UN General Assembly", EN["about"]["un_observer_status"]["text"])

    def test_turkmenistan_gives_its_observer_approval_and_the_announcement(self):
        notes = next(m["notes"] for m in EN["members"] if m["slug"] == "turkmenistan")
        self.assertIn("23 Jun 2021", notes)
        self.assertIn("13 Oct 2022", notes)
        self.assertIn("2022", RU["members"]["turkmenistan"]["notes"])

    def test_events_are_typed_honestly(self):
        events = {e["slug"]: e for e in EN["events"]}
        self.assertEqual(events["proposal-of-cica-at-the-47th-un-general-assembly-1992"]["kind"], "milestone")
        online = {slug for slug, e in events.items() if e["online"]}
        self.assertEqual(
            online,
            {
                "special-meeting-of-cica-ministers-of-foreign-affairs-videoconference-2020",
                "cica-special-working-group-meeting-july-2022",
                "seventh-meeting-of-the-cica-ministerial-council-2024",
            },
        )
        # A venue the source does not state is unknown, not online.
        self.assertFalse(events["senior-officials-committee-meeting-june-2021"]["online"])

    def test_a_verified_record_whose_notes_doubt_a_part_is_partly_verified(self):
        members = {m["slug"]: m for m in EN["members"]}
        self.assertTrue(members["pakistan"]["verified"])
        self.assertTrue(members["pakistan"]["partly_verified"])
        self.assertFalse(members["kazakhstan"]["partly_verified"])
        events = {e["slug"]: e for e in EN["events"]}
        self.assertTrue(events["first-meeting-of-cica-deputy-foreign-ministers-1996"]["partly_verified"])
