import io

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.generate_archive import MEETING_KINDS, PREFIX, ROLE_MARKER_YEAR, Command
from events.models import Document, Event
from initiatives.models import Chairmanship, Initiative
from members.models import Member, Role
from tests.content import load_content

SIZES = {"meetings": 300, "documents": 60, "initiatives": 40}


def generate(*args, **sizes):
    out = io.StringIO()
    call_command(Command(), *args, **(SIZES | sizes), stdout=out)
    return out.getvalue()


def synthetic_meetings():
    return list(
        Event.objects.filter(slug__startswith=PREFIX)
        .order_by("slug")
        .values_list("slug", "title", "start_date", "host__slug")
    )


class GenerateArchiveTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def test_requires_the_real_content(self):
        Role.objects.all().delete()
        Initiative.objects.all().delete()
        Chairmanship.objects.all().delete()
        with self.assertRaisesMessage(CommandError, "run load_cica first"):
            generate()

    def test_counts_match_the_arguments_and_are_reported(self):
        output = generate()
        self.assertEqual(Event.objects.filter(slug__startswith=PREFIX).count(), 300)
        self.assertEqual(Document.objects.filter(event__slug__startswith=PREFIX).count(), 60)
        self.assertEqual(Initiative.objects.filter(slug__startswith=PREFIX).count(), 40)
        self.assertIn("meetings: 300 created, 0 already present, 0 deleted", output)
        self.assertIn("documents: 60 created", output)
        self.assertIn("initiatives: 40 created", output)

    def test_same_seed_gives_the_same_rows(self):
        generate("--replace", seed=7)
        first = synthetic_meetings()
        generate("--replace", seed=7)
        self.assertEqual(synthetic_meetings(), first)
        generate("--replace", seed=8)
        self.assertNotEqual(synthetic_meetings(), first)

    def test_second_run_creates_nothing(self):
        generate()
        before = synthetic_meetings()
        output = generate()
        self.assertIn("meetings: 0 created, 300 already present, 0 deleted", output)
        self.assertIn("Nothing new", output)
        self.assertEqual(synthetic_meetings(), before)

    def test_replace_removes_only_synthetic_rows(self):
        real = {model: list(model.objects.order_by("pk").values()) for model in (Event, Initiative, Member, Document)}
        real_roles = list(Role.objects.order_by("pk").values())
        generate()
        output = generate("--replace", meetings=10, documents=5, initiatives=3)
        self.assertIn("meetings: 10 created, 0 already present, 300 deleted", output)
        self.assertIn("documents: 5 created, 0 already present, 60 deleted", output)
        generate("--replace", meetings=0, documents=0, initiatives=0)
        Role.objects.filter(as_of=ROLE_MARKER_YEAR, verified=False).delete()
        for model, rows in real.items():
            self.assertEqual(list(model.objects.order_by("pk").values()), rows, model)
        self.assertEqual(list(Role.objects.order_by("pk").values()), real_roles)
        self.assertEqual((Event.objects.count(), Initiative.objects.count(), Member.objects.count()), (30, 14, 43))

    def test_every_member_then_has_a_role(self):
        self.assertTrue(Member.objects.published().filter(roles__isnull=True).exists())
        generate()
        self.assertFalse(Member.objects.published().filter(roles__isnull=True).exists())

    def test_rows_are_realistic(self):
        generate()
        meetings = Event.objects.filter(slug__startswith=PREFIX)
        # Every kind of meeting; never a milestone (the 1992 proposal at the UN is not a CICA meeting).
        self.assertEqual(set(meetings.values_list("kind", flat=True)), set(MEETING_KINDS))
        self.assertEqual(set(Event.Kind) - set(MEETING_KINDS), {Event.Kind.MILESTONE})
        self.assertTrue(meetings.filter(date_precision=Event.Precision.MONTH).exists())
        self.assertTrue(meetings.filter(dimensions__isnull=False).exists())
        for meeting in meetings.filter(status=Event.Status.PLANNED):
            self.assertGreater(meeting.start_date.year, 2025)
        self.assertFalse(meetings.exclude(host=None).exclude(host__status=Member.Status.MEMBER).exists())
        initiatives = Initiative.objects.filter(slug__startswith=PREFIX)
        self.assertFalse(initiatives.filter(proposed_by="chairmanship", chairmanship=None).exists())
        self.assertTrue(initiatives.filter(events__isnull=False).exists())
        self.assertIsNotNone(meetings.first().created_at)

    def test_public_list_shows_only_published_meetings(self):
        generate()
        self.assertTrue(Event.objects.drafts().filter(slug__startswith=PREFIX).exists())
        response = self.client.get(reverse("events:event-list"), follow=True)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["paginator"].count, Event.objects.published().count())

    def test_list_query_count_does_not_grow_with_the_archive(self):
        url = reverse("events:event-list")
        self.client.get(url, follow=True)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as small:
            self.client.get(url, follow=True)
        generate()
        with CaptureQueriesContext(connection) as large:
            self.client.get(url, follow=True)
        self.assertEqual(len(large), len(small), [q["sql"] for q in large.captured_queries])
