"""The CICA content for tests: load_cica run once per process, then replayed as plain rows.

`load_content()` leaves the database exactly as `call_command("load_cica")` would,
at a fraction of the cost: the first call in a test process runs the command and
records the rows it added; later calls that start from the same state insert
those rows again, one INSERT statement per table, in one transaction. Twenty-odd
test classes load the content in `setUpTestData`; the command itself, with its
queries per record to compare and save, is tested by its real runs in
tests/cicasite/test_loader.py and elsewhere.

"The same state" is checked, not assumed: a recording is replayed only when every
table it adds to holds exactly what it held before the recorded run, and every
table those rows point at holds the same rows, under the same ids or, as content
types do after a TransactionTestCase has flushed the database, under new ids, to
which the replayed rows are then pointed. Added rows keep the ids of the recorded
run; PostgreSQL's sequences are then moved past them. The only difference from a
real run is the time stamps (created_at, updated_at, translation stamps): they are
those of the recorded run, minutes earlier, on the same day (a recording is kept
per calendar day, since the command reads today's date). tests/test_content.py
compares the two.
"""

import io
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from cicasite.core import pagecache


@dataclass
class Recording:
    day: date
    before: dict  # table -> (columns, sorted rows): the tables the run added to, as they were
    referenced: dict  # table -> (columns, {row without its key: key}): the other tables the new rows point at
    inserted: dict  # table -> (columns, rows)
    links: dict  # table -> [(column index, referenced table)]


_recordings = []


def quote(name):
    return connection.ops.quote_name(name)


def written_columns(cursor, table):
    """The table's columns that an INSERT may name: all but generated ones (PostgreSQL's stored search
    vectors, cicasite.core.search_indexes), which the database computes from the others."""
    if connection.vendor != "postgresql":
        cursor.execute(f"SELECT * FROM {quote(table)} LIMIT 0")
        return tuple(column[0] for column in cursor.description)
    cursor.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = %s AND is_generated = 'NEVER'"
        " ORDER BY ordinal_position",
        [table],
    )
    return tuple(name for (name,) in cursor.fetchall())


def read_tables(tables=None):
    """{table: (columns, rows sorted by their repr)} for the given tables (default: all)."""
    found = {}
    with connection.cursor() as cursor:
        for table in sorted(tables if tables is not None else connection.introspection.table_names(cursor)):
            columns = written_columns(cursor, table)
            cursor.execute(f"SELECT {', '.join(map(quote, columns))} FROM {quote(table)}")
            found[table] = (columns, sorted((tuple(row) for row in cursor.fetchall()), key=repr))
    return found


def _keyed(table, columns, rows):
    """(columns, {row without its primary key: key}), or None if two rows differ only by their key."""
    with connection.cursor() as cursor:
        i = columns.index(connection.introspection.get_primary_key_column(cursor, table))
    keyed = {row[:i] + row[i + 1 :]: row[i] for row in rows}
    return (columns, keyed) if len(keyed) == len(rows) else None


def _record(before, after):
    """What the run added; None if it did more than add, or left nothing a replay could match."""
    inserted = {}
    for table, (columns, rows) in after.items():
        old_columns, old_rows = before[table]
        if old_columns != columns or not set(old_rows) <= set(rows):
            return None  # an update or a delete: left to real runs (load_cica only adds to a fresh database)
        if added := sorted(set(rows) - set(old_rows), key=repr):
            inserted[table] = (columns, added)
    if not inserted:
        return None  # nothing changed (the content was there already): such a recording would match any state
    links = {}
    with connection.cursor() as cursor:
        for table, (columns, _) in inserted.items():
            relations = connection.introspection.get_relations(cursor, table)
            links[table] = [(columns.index(column), relation[1]) for column, relation in relations.items()]
    targets = {target for pairs in links.values() for _, target in pairs} - inserted.keys()
    referenced = {target: _keyed(target, *before[target]) for target in targets}
    if None in referenced.values():
        return None
    return Recording(
        day=date.today(),
        before={table: before[table] for table in inserted},
        referenced=referenced,
        inserted=inserted,
        links=links,
    )


def _matching_ids(recording):
    """{table: {recorded id: id now}} if the database is where the recording started from, else None.

    The tables the run added to must hold exactly what they held; the tables its rows
    point at must hold the same rows, possibly under other ids (content types after a flush).
    """
    if read_tables(recording.before) != recording.before:
        return None
    ids = {}
    for table, (columns, rows) in read_tables(recording.referenced).items():
        recorded_columns, recorded = recording.referenced[table]
        now = _keyed(table, columns, rows)
        if columns != recorded_columns or now is None or now[1].keys() != recorded.keys():
            return None
        if moved := {recorded[row]: now[1][row] for row in recorded if recorded[row] != now[1][row]}:
            ids[table] = moved
    return ids


def _replay(recording, ids):
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's default): checked at commit, so any order works.
        for table, (columns, rows) in recording.inserted.items():
            moved = [(i, ids[target]) for i, target in recording.links[table] if target in ids]
            if moved:
                rows = [list(row) for row in rows]
                for row in rows:
                    for i, new_ids in moved:
                        row[i] = new_ids.get(row[i], row[i])
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({placeholders})", rows
            )
        # PostgreSQL: move every table's sequence past the replayed ids (SQLite's AUTOINCREMENT follows by itself).
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)
    # What load_cica's saves do besides the rows: make cached pages and data stale.
    pagecache.bump_content_version()


def load_content():
    """The database as `load_cica` leaves it; returns "replayed" or "loaded" (what it did)."""
    today = date.today()
    for recording in _recordings:
        if recording.day == today and (ids := _matching_ids(recording)) is not None:
            _replay(recording, ids)
            return "replayed"
    before = read_tables()
    call_command("load_cica", stdout=io.StringIO())
    if recording := _record(before, read_tables()):
        _recordings.append(recording)
    return "loaded"
