from django.db import IntegrityError, transaction
from django.test import TestCase

from initiatives.models import Chairmanship, Initiative
from tests.factories import make_chairmanship, make_initiative, make_member


class ChairmanshipTests(TestCase):
    def test_end_cannot_precede_start(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_chairmanship(start_year=2020, end_year=2018)

    def test_current_is_the_latest_start(self):
        make_chairmanship(start_year=2020, end_year=2024)
        latest = make_chairmanship(start_year=2024, end_year=2026)
        make_chairmanship(start_year=2002, end_year=2010)
        self.assertEqual(Chairmanship.objects.current(), latest)

    def test_current_is_none_without_chairmanships(self):
        self.assertIsNone(Chairmanship.objects.current())

    def test_slug_unique(self):
        member = make_member(slug="kazakhstan")
        make_chairmanship(member=member, slug="kazakhstan-2020-2024")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_chairmanship(member=member, slug="kazakhstan-2020-2024")


class InitiativeTests(TestCase):
    def test_chairmanship_required_when_proposed_by_a_chairmanship(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_initiative(proposed_by=Initiative.ProposedBy.CHAIRMANSHIP, chairmanship=None)

    def test_commentary_needs_no_chairmanship(self):
        self.assertIsNone(make_initiative(proposed_by=Initiative.ProposedBy.COMMENTARY).chairmanship)
