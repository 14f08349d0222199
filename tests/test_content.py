"""tests.content.load_content() leaves the database as a real load_cica run does."""

import io
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase

from cicasite.core.models import TranslationState
from members.models import Member, Region
from tests.content import load_content, read_tables
from tests.factories import make_region


def comparable(tables, *, ids):
    """The rows without time stamps (a replay keeps those of the recorded run), and without ids unless `ids`."""
    with connection.cursor() as cursor:
        id_columns = {
            # Primary keys, foreign keys, and the object_id of generic relations (TranslationState).
            table: {connection.introspection.get_primary_key_column(cursor, table), "object_id"}
            | set(connection.introspection.get_relations(cursor, table))
            for table in tables
        }
    result = {}
    for table, (columns, rows) in tables.items():
        keep = [
            i
            for i, column in enumerate(columns)
            if (ids or column not in id_columns[table]) and not any(isinstance(row[i], datetime) for row in rows)
        ]
        result[table] = sorted((tuple(row[i] for i in keep) for row in rows), key=repr)
    return result


class LoadContentTests(TestCase):
    def setUp(self):
        # A recording of this starting state, unless an earlier test in this process made one.
        start = transaction.savepoint_create()
        load_content()
        transaction.savepoint_rollback(start)

    def test_a_replay_gives_the_rows_of_a_real_run(self):
        start = transaction.savepoint_create()
        self.assertFalse(Member.objects.exists())
        self.assertEqual(load_content(), "replayed")
        replayed = read_tables()
        transaction.savepoint_rollback(start)
        self.assertFalse(Member.objects.exists())
        call_command("load_cica", stdout=io.StringIO())
        real = read_tables()
        self.assertEqual(len(real["members_member"][1]), 43)
        self.assertEqual(
            {t: len(rows) for t, (_, rows) in replayed.items()}, {t: len(rows) for t, (_, rows) in real.items()}
        )
        # SQLite rolls its AUTOINCREMENT counters back with the transaction, so the ids match too;
        # PostgreSQL's sequences never go back, so a real run there gets new ids.
        same_ids = connection.vendor == "sqlite"
        self.assertEqual(comparable(replayed, ids=same_ids), comparable(real, ids=same_ids))

    def test_after_a_replay_load_cica_has_nothing_to_do(self):
        load_content()
        out = io.StringIO()
        call_command("load_cica", stdout=out)
        self.assertIn("CICA content loaded: 0 created, 0 updated.", out.getvalue())

    def test_records_made_after_a_replay_get_fresh_ids(self):
        if connection.vendor == "postgresql":
            # As on a database whose sequences never went past the recorded ids (a replay has to move them).
            with connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence('members_region', 'id'), 1, false)")
        self.assertEqual(load_content(), "replayed")
        region = make_region(slug="new-region")
        self.assertEqual(Region.objects.order_by("pk").last(), region)

    def test_a_replay_points_at_content_types_that_came_back_under_new_ids(self):
        # As after a TransactionTestCase's flush: the same content types, other ids.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE auth_permission SET content_type_id = content_type_id + 1000")
            cursor.execute("UPDATE django_content_type SET id = id + 1000")
        ContentType.objects.clear_cache()
        self.addCleanup(ContentType.objects.clear_cache)  # the ids go back with the test's transaction
        self.assertEqual(load_content(), "replayed")
        states = TranslationState.objects.filter(content_type=ContentType.objects.get_for_model(Member))
        self.assertEqual(states.filter(language="ru").count(), Member.objects.count())
        self.assertEqual({state.object_id for state in states}, set(Member.objects.values_list("pk", flat=True)))

    def test_another_starting_state_gets_a_real_run(self):
        make_region(name="Atlantis", slug="atlantis")
        self.assertEqual(load_content(), "loaded")
        self.assertTrue(Member.objects.filter(slug="kazakhstan").exists())
        self.assertTrue(Region.objects.filter(slug="atlantis").exists())
