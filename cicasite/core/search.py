"""Site search (/search/?q=): every model that declares search_fields (members, meetings, documents, initiatives).

search_site(query) returns one Group per kind, each with the 10 best hits and the
total number of matches, in one query per kind, so the number of queries never
depends on the data (the total: on PostgreSQL a count that stops past TOTAL_CAP,
shown as "more than 1,000"; on SQLite COUNT(*) OVER ()).

Languages: the search runs in the page's language (settings.LANGUAGES) over
that language's columns (django-modeltranslation's name_ru, ...) and, for a
language other than English, over the English columns too, so a record whose
translation is missing is still found, and an English word typed on a Russian
page still finds its record.

PostgreSQL: full-text search on a weighted search vector, with the language's
text-search configuration (settings.SEARCH_CONFIGS: 'english', so "summits"
finds "Summit"; 'russian', so "саммита" finds "саммит"; English columns always
with 'english'), ranked by ts_rank plus trigram similarity of the name or
title, so that typos ("Kazakstan") and ASCII spellings ("Turkiye", compared
with the ASCII slug) still match. The vectors are stored: one column per
language that PostgreSQL computes on every write (cicasite.core.search_indexes),
with a GIN index, declared in each model's Meta.indexes (SearchFields.indexes())
and created by migrations (tests/cicasite/test_search.py checks with EXPLAIN that
the planner uses them). The work per search is bounded, whatever a word matches:
see _search_postgresql().

SQLite, the embedded default: every word of the query (with a crude English
plural or Russian ending stripped) must occur in one of the fields
(case-insensitively for ASCII; a Cyrillic word in lower case, capitalised or
in capitals: SQLite folds only ASCII); hits are ranked
by the weight of the fields the words occur in, and snippets are cut in Python.

Snippets are HTML-safe on both: the text from the database is escaped first and
only then are the match markers turned into <mark>…</mark>.

Rich text (bodies, cicasite.core.richtext): PostgreSQL's text parser skips tags and entities, so
the vectors index only the words; snippets are cut from the column's plain text (PlainText), and
the SQLite fallback matches the plain text too, so "strong" or "href" never find the markup.
"""

import html
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property, reduce
from operator import or_

from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchQueryField,
    SearchRank,
    TrigramSimilarity,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    IntegerField,
    Q,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Greatest, Least, Lower, NullIf, StrIndex, Substr
from django.db.models.query import get_related_populators
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from modeltranslation.utils import build_localized_fieldname

from cicasite.core import i18n
from cicasite.core.i18n import current_language
from cicasite.core.richtext import PlainText, is_rich, to_text
from cicasite.core.search_indexes import StoredSearchVector, StoredVector, TrigramIndex, columns, config, vector

LIMIT = 10  # hits shown per kind
# PostgreSQL: a kind's total is counted up to this ("more than 1,000"): a common word matches tens of
# thousands of meetings, and counting them all cost more than the rest of the search.
TOTAL_CAP = 1000
# PostgreSQL: the rows ranked per kind, at most this many matching by name or title and as many by text
# (each in the kind's order): ranking reads each candidate's stored vector, so it is bounded too.
CANDIDATES = 200
# Shorter queries match by full text only: "the" would be word-similar to every title with "the".
TRIGRAM_MIN_LENGTH = 4
MAX_TERMS = 10  # words of the query the SQLite fallback looks at
SNIPPET_CHARS = 220  # length of a fallback snippet
SNIPPET_WINDOW = 2000  # PostgreSQL: the characters of a field ts_headline reads for the snippet (_window)
# Private-use characters that ts_headline puts around matches; they never reach the page.
START, STOP = "\ue000", "\ue001"
MARKED = re.compile(f"{START}(.*?){STOP}", re.DOTALL)
# Fallback ranking: what a word found in an A, B or C field is worth.
WEIGHTS = {"A": 4, "B": 2, "C": 1}


@dataclass(frozen=True)
class SearchFields:
    """What one model contributes to site search, and how a hit is shown.

    A model declares it as its `search_fields` (as in Wagtail): the search page, the
    indexes and the tests find every such model through the app registry, so this
    module knows no app.
    """

    key: str  # "members": the group's name in the template
    queryset: object  # a callable returning the public, optimised queryset
    a: tuple  # fields by weight: A (names, titles), B, C (summaries, bodies)
    b: tuple
    c: tuple
    title: str  # the field shown as the link text
    similar: tuple = ()  # PostgreSQL: trigram similarity of the whole field with the query (name % q)
    word_similar: tuple = ()  # PostgreSQL: trigram word similarity (title %> q), for longer titles
    fallback: tuple = ()  # SQLite: extra A fields (the ASCII slug stands in for unaccent)
    snippet: tuple = ()  # the text the snippet is cut from
    order: tuple = ()  # the order of equally ranked hits
    unused: tuple = ()  # columns never shown (deferred)
    meta: object = None  # a callable: the plain text line under the title
    index: str = ""  # PostgreSQL: the prefix of this kind's index names ("" for no indexes)

    @cached_property  # building the queryset (published(): a filter on the time) just for its model is not free
    def model(self):
        return self.queryset().model

    def deferred(self):
        """The columns a hit never shows (unused, and the C fields), for defer(): a stem of
        per-language columns (a document's "text": text_en, text_ru) as those columns."""
        return [
            name
            for field in (*self.unused, *self.c)
            for name in (
                [build_localized_fieldname(field, code) for code, _name in settings.LANGUAGES]
                if i18n.has_language_columns(self.model, field)
                else [field]
            )
        ]

    def indexes(self):
        """The PostgreSQL indexes behind this search, for the model's Meta.indexes: the stored search
        vector of each language with its GIN index, and a trigram index per name or title
        (cicasite.core.search_indexes). A change of a, b or c changes them: makemigrations then
        writes the migration that stores the new vectors."""
        if not self.index:
            return []
        vectors = [
            StoredSearchVector(
                name=f"{self.index}_search_{language}",
                language=language,
                config=config(language),
                a=self.a,
                b=self.b,
                c=self.c,
            )
            for language, _name in settings.LANGUAGES
        ]
        languages = [language for language, _name in settings.LANGUAGES]
        trigrams = [
            TrigramIndex(name=f"{self.index}_trgm_{field}", field=field, languages=languages)
            for field in dict.fromkeys((*self.similar, *self.word_similar))
        ]
        return vectors + trigrams


@dataclass
class Hit:
    object: object
    url: str
    title_html: str
    snippet_html: str
    meta: str


@dataclass
class Group:
    key: str
    hits: list
    total: int  # at most TOTAL_CAP
    more: bool = False  # more than TOTAL_CAP matched (PostgreSQL)


def searchable():
    """What every searchable model contributes (its search_fields), in the order of the apps and their models."""
    return [
        model.search_fields
        for model in apps.get_models()
        if isinstance(getattr(model, "search_fields", None), SearchFields)
    ]


def search_site(query):
    """One Group per kind (members, events, documents, initiatives) for the query text, in the page's language."""
    query = " ".join(query.split())
    if connection.vendor == "postgresql":
        return _search_postgresql(searchable(), query)
    return [_search_fallback(kind, query) for kind in searchable()]


def search_vector(kind, language=None):
    """The weighted search vector of a kind in a language: on PostgreSQL the stored column (with its GIN
    index) that the database computes from vector() on every write; elsewhere the expression itself."""
    language = language or current_language()
    if connection.vendor == "postgresql" and kind.index:
        return StoredVector(language)
    return vector(kind.model, (kind.a, kind.b, kind.c), language)


def trigram_fields(kind, fields, language):
    return [name for _, names in columns(kind.model, fields, language) for name in names]


def shown(kind, field, language):
    return i18n.shown(kind.model, field, language)


# PostgreSQL


def matches_postgresql(kind, query, text_query, language=None):
    """The match condition, on the alias `search` (the kind's search_vector()). Each part is
    served by a GIN index: search @@ query by the vector's, name % q and title %> q by the
    column's trigram index (pg_trgm's thresholds: 0.3 for %, 0.6 for %>)."""
    language = language or current_language()
    matches = Q(search=text_query)
    names = trigram_matches(kind, query, language)
    return matches if names is None else matches | names


def trigram_matches(kind, query, language):
    """name % q or title %> q in every column of the language (served by the trigram indexes), or None
    for a query too short for trigrams."""
    if len(query) < TRIGRAM_MIN_LENGTH:
        return None
    return _similar(kind, query, language)


def _similar(kind, query, language):
    """name % q or title %> q in every column of the language, or None for a kind without such fields."""
    conditions = [Q(**{f"{field}__trigram_similar": query}) for field in trigram_fields(kind, kind.similar, language)]
    conditions += [
        Q(**{f"{field}__trigram_word_similar": query}) for field in trigram_fields(kind, kind.word_similar, language)
    ]
    return reduce(or_, conditions) if conditions else None


def _search_postgresql(kinds, query):
    """For each kind, the 10 best hits and the (capped) total in one statement, whose cost is bounded
    whatever matches:

    1. candidates: at most CANDIDATES rows whose stored vector matches (by its GIN index) and, when they
       are fewer, at most CANDIDATES rows whose name or title is similar (trigram, by its GIN index),
       as the indexes find them: never every match of a common word;
    2. the candidates ranked (ts_rank of the stored vector plus the trigram similarity of the name or
       title), the best LIMIT kept;
    3. ts_headline for those LIMIT rows only (it parses the whole body: the dearest part; PostgreSQL
       computes a costly output column after the sort and LIMIT, tests/cicasite/test_search.py checks);
    4. the total counted over at most TOTAL_CAP + 1 matching rows: "more than 1,000".

    So a common word shows ranked hits from the first CANDIDATES matches, with "more than 1,000".

    The statement is built and compiled by the ORM once per kind, language and shape of query (trigrams
    or not, the number of words), then run with the query's values: building it cost twice as much as
    running it (_Prepared).

    The kinds' statements are sent together (psycopg's pipeline mode): PostgreSQL runs the next while
    the hits of the last are made here, and the four round trips cost one wait instead of four (a
    search at 100k: about 0.9 ms less time and 0.3 ms less CPU). Still one query per kind.
    """
    words = terms(query)
    language, trigrams = current_language(), len(query) >= TRIGRAM_MIN_LENGTH
    statements = [_Prepared.get(kind, language, trigrams, len(words)) for kind in kinds]
    groups = []
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        cursors = [statement.execute(query, words) for statement in statements]
        for kind, statement, cursor in zip(kinds, statements, cursors, strict=True):
            with cursor:
                rows = statement.instances(cursor.fetchall())
            hits = [_hit(kind, row, _marked(row.title_marked), _marked(row.snippet_marked)) for row in rows]
            groups.append(_group(kind, hits, rows[0].total if rows else 0))
    return groups


def _statement(kind, language, query, words, trigrams):
    """The statement of _search_postgresql() for a query (and its fallback words; trigram conditions only
    when trigrams is true: the query is long enough), as the ORM builds it: the main queryset and the
    querysets of its common table expressions, [(name, queryset, materialized)], which it reads by name."""
    text_query = SearchQuery(query, search_type="websearch", config=config(language))
    similarities = [TrigramSimilarity(field, query) for field in trigram_fields(kind, kind.similar, language)] + [
        TrigramWordSimilarity(query, field) for field in trigram_fields(kind, kind.word_similar, language)
    ]
    similarity = similarities[0] if len(similarities) == 1 else Greatest(*similarities)
    highlight = {"config": config(language), "start_sel": START, "stop_sel": STOP}

    public = kind.queryset().order_by().alias(search=search_vector(kind, language))
    # Each part by its own GIN index, in table order (no ORDER BY): each LIMIT stops its scan early.
    # (One scan of "text or name" would test the name's trigram similarity on row after row.) Names
    # similar to the query (typos: "Kazakstan") are looked for only while the text matches fewer than
    # CANDIDATES rows: a trigram scan for a common word costs more than all the rest, and finds little
    # the text has not (PostgreSQL skips it when the one-time test fails). Each part's rows are read
    # once (MATERIALIZED), up to TOTAL_CAP + 1 for the count; its first CANDIDATES are the candidates
    # (the same rows a scan of its own stopped at CANDIDATES would give: the same bitmap scan, in the
    # same table order, which had cost a fifth of the meetings' statement again).
    text = public.filter(search=text_query).values("pk")
    ctes = [("search_text", text[: TOTAL_CAP + 1], True)]
    names = _similar(kind, query, language) if trigrams else None
    if names is not None:
        few = RawSQL(f"(SELECT COUNT(*) FROM search_text) < {CANDIDATES}", (), output_field=BooleanField())
        ctes += [("search_names", public.filter(names, few).values("pk")[: TOTAL_CAP + 1], True)]
    candidates = " UNION ".join(f"(SELECT id FROM {name} LIMIT {CANDIDATES})" for name, _, _ in ctes)
    # The matches counted: the text's, and the names' that the text has not (as a UNION would count
    # them, without hashing the text's 1,001 ids to find the names' few).
    total = "SELECT (SELECT COUNT(*) FROM search_text)"
    if names is not None:
        total += " + (SELECT COUNT(*) FROM search_names WHERE id NOT IN (SELECT id FROM search_text))"
    # The query as a scalar subquery for the rank and the headlines: parsed once per statement, where the
    # generic plan parsed it again for each of the 200 candidates (and each headline).
    once = RawSQL(
        "SELECT websearch_to_tsquery(%s::regconfig, %s)", (config(language), query), output_field=SearchQueryField()
    )
    queryset = (
        kind.queryset()
        .alias(search=search_vector(kind, language))
        .filter(pk__in=RawSQL(candidates, ()))
        .annotate(
            rank=SearchRank(F("search"), once) + similarity,
            total=RawSQL(total, (), output_field=IntegerField()),
            title_marked=SearchHeadline(shown(kind, kind.title, language), once, highlight_all=True, **highlight),
            snippet_marked=SearchHeadline(
                _joined(kind, kind.snippet, language, words),
                once,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
                **highlight,
            ),
        )
        .defer(*kind.deferred())
        # pk last: equal ranks and titles (untranslated synthetic records) in one order whatever the plan.
        .order_by("-rank", *kind.order, "pk")[:LIMIT]
    )
    return queryset, ctes


class _Prepared:
    """_statement() compiled once for a kind, language and query shape, and prepared by PostgreSQL.

    The ORM builds and compiles it with stand-ins for the query and its words (private-use characters
    that no query contains); each parameter of the compiled SQL is then known as the query, one of
    its words, the clock (public_q()'s now: every datetime, read again on each run) or a constant,
    which is written into the SQL (so the planner sees "publication_status = 'published'"). A run
    executes that SQL with the new values as a server-side prepared statement (psycopg prepares it on
    its connection the first time) with a generic plan (generic_plans()): PostgreSQL parses and
    plans it once per connection, not on every search. The rows become instances as the ORM's
    ModelIterable makes them (Model.from_db with the compiler's columns, its converters, select_related
    through RelatedPopulator, annotations as attributes), read from the compiler once, here: same
    results, one query per kind, without rebuilding four subqueries of expressions on every search,
    nor a queryset, a compiler and its iterator per run (half of the Python a search cost).
    Planning and building had cost three times what running the statements did.
    """

    QUERY = "\ue002query\ue002"
    WORD = "\ue002word{}\ue002"
    cache = {}

    def __init__(self, kind, language, trigrams, count):
        words = [self.WORD.format(i) for i in range(count)]
        before = timezone.now()
        self.queryset, ctes = _statement(kind, language, self.QUERY, words, trigrams)
        parts = [
            (name, materialized, queryset.query.get_compiler(connection=connection).as_sql())
            for name, queryset, materialized in ctes
        ]
        compiler = self.queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()  # also fills compiler.select, klass_info, annotation_col_map
        after = timezone.now()
        self._rows_to_instances(compiler)
        ctes_sql = ", ".join(
            f"{name}(id) AS {'MATERIALIZED ' if materialized else ''}({cte_sql})"
            for name, materialized, (cte_sql, _) in parts
        )
        params = [param for _, _, (_, cte_params) in parts for param in cte_params] + list(params)
        values = {self.QUERY: "query", **{word: i for i, word in enumerate(words)}}
        # The SQL with each constant written in, and a placeholder (%s) for each value of a run.
        pieces, self.slots, constants = [], [], iter(params)
        for piece in re.split(r"(%%|%s)", f"WITH {ctes_sql} {sql}"):
            if piece != "%s":
                pieces.append(piece)
                continue
            param = next(constants)
            if isinstance(param, str) and param in values:
                self.slots.append(values[param])
            elif isinstance(param, datetime) and before <= param <= after:
                self.slots.append("now")
            elif isinstance(param, (str, int)) and "\ue002" not in str(param):
                pieces.append(_literal(param))
                continue
            else:
                raise RuntimeError(f"search: the {kind.key} statement has a parameter it cannot prepare: {param!r}")
            pieces.append("%s")
        self.sql = "".join(pieces)
        if next(constants, None) is not None or "\ue002" in self.sql or not set(self.slots) >= set(values.values()):
            raise RuntimeError(f"search: the {kind.key} statement cannot be prepared (a value not in its parameters)")

    @classmethod
    def get(cls, kind, language, trigrams, count):
        key = (connection.alias, kind, language, config(language), trigrams, count, LIMIT, CANDIDATES, TOTAL_CAP)
        if key not in cls.cache:
            cls.cache[key] = cls(kind, language, trigrams, count)
        return cls.cache[key]

    def params(self, query, words):
        """The values of a run, in the order of the placeholders."""
        values = {"query": query, "now": timezone.now(), **dict(enumerate(words))}
        return tuple(values[slot] for slot in self.slots)

    def _rows_to_instances(self, compiler):
        """What ModelIterable reads from the compiler to turn a row into an instance, read once."""
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        self.columns = slice(fields[0], fields[-1] + 1)
        # A set: from_db() only asks whether a field was loaded (the others are deferred).
        self.loaded = frozenset(column[0].target.attname for column in select[self.columns])
        self.model, self.fetch_mode = klass_info["model"], self.queryset._fetch_mode
        self.related = get_related_populators(klass_info, select, connection.alias, self.fetch_mode)
        for populator in self.related:  # a document's meeting: the same, as a set
            populator.init_list = frozenset(populator.init_list)
        self.annotations = list(compiler.annotation_col_map.items())
        self.converters = list(compiler.get_converters([column[0] for column in select[: compiler.col_count]]).items())

    def execute(self, query, words):
        """A cursor that has run (or, in a pipeline, sent) the statement for a query."""
        cursor = _prepared_cursor()
        cursor.execute(self.sql, self.params(query, words))
        return cursor

    def instances(self, rows):
        """The rows of a run as instances, as the queryset would give them."""
        objects = []
        for row in rows:
            if self.converters:  # as SQLCompiler.apply_converters()
                row = list(row)
                for position, (converters, expression) in self.converters:
                    for converter in converters:
                        row[position] = converter(row[position], expression, connection)
            obj = self.model.from_db(connection.alias, self.loaded, row[self.columns], fetch_mode=self.fetch_mode)
            for populator in self.related:
                populator.populate(row, obj)
            for name, position in self.annotations:
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def _literal(value):
    """A constant as an SQL literal in a statement with placeholders (% doubled)."""
    from psycopg import sql  # PostgreSQL only

    return sql.Literal(value).as_string(connection.connection).replace("%", "%%")


def _prepared_cursor():
    """A cursor of the connection whose statements PostgreSQL prepares (server-side binding), wrapped as
    Django wraps its own (counted by assertNumQueries, logged in DEBUG)."""
    connection.ensure_connection()
    cursor = _preparing_cursor_class()(connection.connection)
    return connection.make_debug_cursor(cursor) if connection.queries_logged else connection.make_cursor(cursor)


@cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor  # PostgreSQL only

    class PreparingCursor(ServerBindingCursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=True, **kwargs)

    return PreparingCursor


def generic_plans(sender, connection, **kwargs):
    """connection_created (cicasite.core.apps): on each new PostgreSQL connection, statements prepared on
    request only (psycopg's prepare=True: only _prepared_cursor() asks; Django's own cursors bind on the
    client and never prepare), with generic plans: a custom plan per search would cost what preparing
    saves. The search statements are written so that their generic plan is the one PostgreSQL picks for
    a rare word (bitmap scans of the GIN indexes, stopped by their LIMITs); for a common word it is
    cheaper than the custom one."""
    if connection.vendor == "postgresql":
        connection.connection.prepare_threshold = 2**31 - 1  # nothing prepared unless asked for
        with connection.connection.cursor() as cursor:
            cursor.execute("SET plan_cache_mode = force_generic_plan")


def _group(kind, hits, total):
    """The kind's Group; a total above TOTAL_CAP is shown as "more than 1,000"."""
    more = total > TOTAL_CAP
    return Group(kind.key, hits, min(total, TOTAL_CAP), more)


def _joined(kind, fields, language, words=()):
    texts = [
        _window(
            PlainText(shown(kind, field, language)) if is_rich(kind.model, field) else shown(kind, field, language),
            words,
        )
        for field in fields
    ]
    if len(texts) == 1:
        return texts[0]
    return Concat(*[part for text in texts for part in (text, Value(" "))][:-1], output_field=TextField())


def _window(text, words):
    """SNIPPET_WINDOW characters of a text around the first place one of the query's words occurs
    (their fallback stems, terms(), found with strpos), or its start: ts_headline reads only these. On
    a PDF's text (100,000 characters) the whole text cost it about 30 ms a hit; a window, under one."""
    found = [NullIf(StrIndex(Lower(text), Value(word)), Value(0)) for word in words]
    if not found:
        return Substr(text, 1, SNIPPET_WINDOW)
    first = found[0] if len(found) == 1 else Least(*found)
    start = Coalesce(Greatest(first - Value(SNIPPET_WINDOW // 3), Value(1)), Value(1))
    return Substr(text, start, SNIPPET_WINDOW)


def _marked(text):
    """Escape headline text, then turn the START…STOP pairs into <mark>…</mark>."""
    # Whitespace collapsed: ts_headline leaves a space for each tag it skipped in rich text.
    # html.escape(): what django.utils.html.escape() does, without its lazy-string wrapper (36 calls a search).
    marked = MARKED.sub(r"<mark>\1</mark>", html.escape(" ".join((text or "").split())))
    return mark_safe(marked.replace(START, "").replace(STOP, ""))  # escaped above


# SQLite (and any other database)


# Russian noun and adjective endings the fallback strips ("саммита" -> "саммит"), longest first.
RUSSIAN_ENDINGS = sorted(
    "ами ями ого его ому ему ыми ими ах ях ов ев ей ой ый ий ая яя ое ее ом ем ам ям ую юю а я ы и у ю е о ь".split(),
    key=len,
    reverse=True,
)
CYRILLIC = re.compile("[а-яё]")


def terms(query):
    """The words of a query for the fallback: lower case, without a plural -s or a Russian ending, no repeats."""
    words = []
    for word in re.findall(r"\w+", query.lower()):
        if CYRILLIC.search(word):
            for ending in RUSSIAN_ENDINGS:
                if word.endswith(ending) and len(word) - len(ending) >= 4:
                    word = word[: -len(ending)]
                    break
        elif len(word) > 4 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if len(word) > 1 and word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def spellings(word):
    """SQLite's LIKE folds only ASCII: a Cyrillic word is also tried capitalised and in capitals."""
    return [word, word.capitalize(), word.upper()] if CYRILLIC.search(word) else [word]


def _search_fallback(kind, query):
    words = terms(query)
    if not words:
        return Group(kind.key, [], 0)
    language = current_language()
    weighted = [
        (weight, column)
        for weight, fields in (("A", kind.a + kind.fallback), ("B", kind.b), ("C", kind.c))
        for _, cols in columns(kind.model, fields, language)
        for column in cols
    ]

    # Rich-text columns are matched on their plain text, under an alias: never on the markup.
    plain = {f"{column}_plain": PlainText(column) for _, column in weighted if is_rich(kind.model, column)}

    def contains(column, word):
        target = f"{column}_plain" if f"{column}_plain" in plain else column
        return reduce(or_, [Q(**{f"{target}__icontains": spelling}) for spelling in spellings(word)])

    # Every word must occur in some field.
    matches = Q()
    for word in words:
        matches &= reduce(or_, [contains(column, word) for _, column in weighted])
    rank = sum(
        (
            Case(When(contains(column, word), then=Value(WEIGHTS[weight])), default=Value(0))
            for word in words
            for weight, column in weighted
        ),
        start=Value(0),
    )
    rows = list(
        kind.queryset()
        .alias(**plain)
        .filter(matches)
        .annotate(rank=rank, total=Window(Count("pk")))
        .defer(*kind.unused)
        .order_by("-rank", *kind.order)[:LIMIT]
    )
    pattern = re.compile("|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.IGNORECASE)
    hits = []
    for row in rows:
        snippet_text = " ".join(
            to_text(_value(row, field)) if is_rich(kind.model, field) else str(_value(row, field))
            for field in kind.snippet
        )
        hits.append(_hit(kind, row, highlight(getattr(row, kind.title), pattern), excerpt(snippet_text, pattern)))
    return Group(kind.key, hits, rows[0].total if rows else 0)


def _value(row, field):
    for name in field.split("__"):
        row = getattr(row, name)
    return row or ""


def highlight(text, pattern):
    """Escaped text with every match of the pattern in <mark>."""
    parts, position = [], 0
    for match in pattern.finditer(text):
        parts += [escape(text[position : match.start()]), "<mark>", escape(match.group()), "</mark>"]
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every piece escaped


def excerpt(text, pattern, length=SNIPPET_CHARS):
    """About `length` characters of text around the first match, at word boundaries, highlighted."""
    text = " ".join(text.split())
    if not text:
        return ""
    match = pattern.search(text)
    start = max(0, match.start() - length // 3) if match else 0
    if start:
        start = text.find(" ", start) + 1 or start
        if match and start > match.start():
            start = match.start()
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        if space > (match.end() if match else start):
            end = space
    piece = highlight(text[start:end], pattern)
    return mark_safe(("… " if start else "") + piece + (" …" if end < len(text) else ""))  # escaped by highlight()


def _hit(kind, row, title_html, snippet_html):
    return Hit(row, row.get_absolute_url(), title_html, snippet_html, kind.meta(row))
