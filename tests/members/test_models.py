from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import TestCase

from members.models import Member, Role
from tests.factories import DRAFT, make_area, make_dimension, make_member, make_role


class MemberConstraintTests(TestCase):
    def test_slug_is_unique(self):
        make_member(slug="kazakhstan")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_member(slug="kazakhstan")

    def test_iso_code_is_unique_but_may_be_empty_many_times(self):
        make_member(iso_code="KZ")
        make_member(iso_code="")
        make_member(iso_code="")  # organisations have none
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_member(iso_code="KZ")

    def test_status_must_be_a_known_value(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_member(status="guest")

    def test_joined_year_must_be_plausible(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_member(joined=1800)

    def test_flag_needs_alt_text_in_the_database(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_member(flag="members/flags/x.png", flag_alt="")

    def test_flag_needs_alt_text_in_the_form_message(self):
        member = make_member()
        member.flag = "members/flags/x.png"
        with self.assertRaisesMessage(ValidationError, "Describe the image"):
            member.clean()

    def test_published_excludes_drafts(self):
        public = make_member()
        make_member(publication_status=DRAFT)
        self.assertQuerySetEqual(Member.objects.published(), [public])

    def test_badge_text_is_iso_code_or_initials(self):
        self.assertEqual(make_member(iso_code="KZ").badge_text, "KZ")
        self.assertEqual(make_member(name="League of Arab States", iso_code="").badge_text, "LAS")
        osce = make_member(name="Organization for Security and Co-operation in Europe (OSCE)", iso_code="")
        self.assertEqual(osce.badge_text, "OSCE")
        self.assertEqual(make_member(name="United Nations", iso_code="").badge_text, "UN")


class RoleConstraintTests(TestCase):
    def test_one_role_per_member_and_area(self):
        member, area = make_member(), make_area()
        make_role(member=member, area=area)
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_role(member=member, area=area, role=Role.Kind.CO_COORDINATOR)

    def test_role_kind_must_be_known(self):
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_role(role="chair")

    def test_with_role_in_matches_dimension_and_role_on_the_same_row(self):
        economic, human = make_dimension(slug="economic"), make_dimension(slug="human")
        # Co-coordinator in economic, coordinator in human: not an economic coordinator.
        mixed = make_member()
        make_role(member=mixed, area=make_area(economic), role=Role.Kind.CO_COORDINATOR)
        make_role(member=mixed, area=make_area(human), role=Role.Kind.COORDINATOR)
        coordinator = make_member()
        make_role(member=coordinator, area=make_area(economic), role=Role.Kind.COORDINATOR)
        make_role(member=coordinator, area=make_area(economic), role=Role.Kind.COORDINATOR)

        result = Member.objects.with_role_in(dimension=economic, role=Role.Kind.COORDINATOR)
        self.assertQuerySetEqual(result, [coordinator])  # once, despite two roles
        self.assertQuerySetEqual(Member.objects.with_role_in(dimension=economic).order_by("pk"), [mixed, coordinator])


class DimensionConstraintTests(TestCase):
    def test_dimension_slug_unique(self):
        make_dimension(slug="economic")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_dimension(slug="economic")

    def test_area_slug_unique_within_dimension_only(self):
        economic, human = make_dimension(), make_dimension()
        make_area(economic, slug="general")
        make_area(human, slug="general")
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_area(economic, slug="general")


class NewRecordTests(TestCase):
    def test_new_members_and_roles_are_not_verified_until_an_editor_says_so(self):
        # Issue 13: an editor confirms a record; nothing starts out "Verified".
        self.assertFalse(Member().verified)
        self.assertFalse(Role().verified)
