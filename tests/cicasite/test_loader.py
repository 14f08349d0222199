import io
import json

from django.core.management import call_command
from django.test import TestCase

from cicasite.core.models import Organ, Partner, SecretariatHead, Source
from cicasite.management.commands.load_cica import DATA_FILE
from events.models import Document, Event
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member, PriorityArea, Region, Role

DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))


def load():
    out = io.StringIO()
    call_command("load_cica", stdout=out)
    return out.getvalue()


class LoaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first_output = load()

    def test_counts_match_the_data_file(self):
        self.assertEqual(Member.objects.count(), len(DATA["members"]))
        self.assertEqual(Dimension.objects.count(), len(DATA["dimensions"]))
        self.assertEqual(PriorityArea.objects.count(), sum(len(d["priority_areas"]) for d in DATA["dimensions"]))
        self.assertEqual(Role.objects.count(), sum(len(m["roles"]) for m in DATA["members"]))
        self.assertEqual(Region.objects.count(), len({m["region"] for m in DATA["members"]}))
        self.assertEqual(Chairmanship.objects.count(), len(DATA["chairmanships"]))
        self.assertEqual(Event.objects.count(), len(DATA["events"]))
        self.assertEqual(Document.objects.count(), sum(len(e["documents"]) for e in DATA["events"]))
        self.assertEqual(Initiative.objects.count(), len(DATA["initiatives"]))
        self.assertEqual(Organ.objects.count(), len(DATA["organs"]))
        self.assertEqual(SecretariatHead.objects.count(), len(DATA["secretariat_heads"]))
        self.assertEqual(Partner.objects.count(), len(DATA["partners"]))
        self.assertEqual(Source.objects.count(), len(DATA["sources"]))

    def test_counts_match_the_facts_of_cica(self):
        # The fact sheet: 28 member states, 10 observer states, 5 observer organisations,
        # 5 dimensions with 18 priority areas, 25 roles, 6 chairmanships, 30 meetings, 14 initiatives.
        self.assertEqual(Member.objects.filter(status=Member.Status.MEMBER).count(), 28)
        self.assertEqual(Member.objects.filter(status=Member.Status.OBSERVER_STATE).count(), 10)
        self.assertEqual(Member.objects.filter(status=Member.Status.OBSERVER_ORG).count(), 5)
        self.assertEqual(PriorityArea.objects.count(), 18)
        self.assertEqual(Role.objects.count(), 25)
        self.assertEqual(Chairmanship.objects.count(), 6)
        self.assertEqual(Event.objects.count(), 30)
        self.assertEqual(Initiative.objects.count(), 14)

    def test_everything_loaded_is_published(self):
        for model in (Member, Event, Document, Initiative):
            self.assertFalse(model.objects.drafts().exists(), model)

    def test_first_run_reports_what_it_created(self):
        self.assertIn("members: 43 created, 0 updated, 0 unchanged", self.first_output)
        self.assertIn("meetings: 30 created", self.first_output)

    def test_second_run_changes_nothing(self):
        before = {m: list(m.objects.order_by("pk").values()) for m in (Member, Event, Initiative, Role, Document)}
        output = load()
        self.assertIn("CICA content loaded: 0 created, 0 updated.", output)
        self.assertIn("members: 0 created, 0 updated, 43 unchanged", output)
        for model, rows in before.items():
            self.assertEqual(list(model.objects.order_by("pk").values()), rows, model)

    def test_a_changed_field_is_updated_and_reported(self):
        Member.objects.filter(slug="kazakhstan").update(capital="Somewhere")
        output = load()
        self.assertIn("members: 0 created, 1 updated, 42 unchanged", output)
        self.assertEqual(Member.objects.get(slug="kazakhstan").capital, "Astana")

    def test_slugs_are_ascii(self):
        self.assertTrue(Member.objects.filter(slug="turkiye", name="Türkiye").exists())
        self.assertTrue(Member.objects.filter(slug="south-korea").exists())
        for model in (Member, Event, Initiative, Chairmanship):
            for slug in model.objects.values_list("slug", flat=True):
                self.assertTrue(slug.isascii(), slug)

    def test_year_only_meeting_keeps_its_precision(self):
        summit = Event.objects.get(slug="seventh-cica-summit-2026")
        self.assertEqual(summit.date_display, "2026")
        self.assertTrue(summit.is_upcoming)
        self.assertEqual(summit.host.slug, "azerbaijan")

    def test_current_chairmanship_is_azerbaijan(self):
        self.assertEqual(Chairmanship.objects.current().slug, "azerbaijan-2024-2026")

    def test_economic_dimension_has_the_reported_coordinators(self):
        economic = Dimension.objects.get(slug="economic")
        names = list(Member.objects.with_role_in(dimension=economic).values_list("name", flat=True))
        self.assertEqual(names, ["Azerbaijan", "China", "Kyrgyzstan", "Russia"])
