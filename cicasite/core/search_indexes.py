"""The expressions of site search and the PostgreSQL indexes built from them (cicasite.core.search).

One function, vector(), makes a model's weighted search vector in a language. PostgreSQL
keeps it in a column of its own, computed on every write (a stored generated column), and
the search reads that column (StoredVector), so a search never parses a body again. The
columns and indexes are declared in each searchable model's Meta.indexes
(SearchFields.indexes()) and created by migrations:

- StoredSearchVector: the column search_vector_<language>, GENERATED ALWAYS AS (the
  vector) STORED, and a GIN index on it, one per language;
- TrigramIndex: GIN trigram index (pg_trgm) on a name or title, every language's
  column in one index, for typo tolerance ("Kazakstan");
- SearchVectorIndex: the GIN expression index of the vector that came before the stored
  column; kept for the migrations that made and dropped it.

Why a generated column declared with the indexes, and not a model field (GeneratedField):
- every write path keeps it up to date, whatever it is: save(), the admin, QuerySet.update(),
  bulk_create(), COPY (bench/generate_archive.py), load_cica, raw SQL: the database computes it;
- the model never loads it: no list or page SELECTs a vector it does not need;
- SQLite has no text-search vectors: there the column does not exist (the simple search needs none);
- a change of the declared fields (SearchFields a/b/c) changes the declaration, so makemigrations
  writes a migration that drops the column and adds it again with the new expression.

All exist on PostgreSQL only: on other databases their SQL is empty (SQLite's
simple search needs no index). Their columns depend on the model's translated fields
(name_en, name_ru ...), which django-modeltranslation adds after Meta is read; so an
index keeps field names and works its columns out when the migration runs, from the
model it is given (the migration's historical model has those columns too).
"""

from functools import reduce

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Expression, F
from django.db.models.sql import Query
from modeltranslation.utils import build_localized_fieldname

DEFAULT_LANGUAGE = settings.LANGUAGE_CODE
WEIGHTS = ("A", "B", "C")


def config(language):
    """The PostgreSQL text-search configuration of a language ('simple' when none is set)."""
    return settings.SEARCH_CONFIGS.get(language, "simple")


def column(model, field, language):
    """A field's column in a language: name_ru where the model has it (a translated field), else name."""
    localized = build_localized_fieldname(field, language)
    try:
        model._meta.get_field(localized)
    except FieldDoesNotExist:
        return field
    return localized


def columns(model, fields, language):
    """[(language, columns)]: the language's columns, then (for another language) English's translated ones.

    Searching English's columns too finds a record whose translation is missing, and an
    English word typed on a Russian page.
    """
    sets = [(language, [column(model, field, language) for field in fields])]
    if language != DEFAULT_LANGUAGE:
        english = [column(model, field, DEFAULT_LANGUAGE) for field in fields]
        sets.append((DEFAULT_LANGUAGE, [name for name in english if name not in sets[0][1]]))
    return [(lang, names) for lang, names in sets if names]


def vector(model, weighted, language):
    """The weighted search vector of a model in a language: weighted is (A fields, B fields, C fields)."""
    by_language = {}  # the language's parts first, then English's
    for weight, fields in zip(WEIGHTS, weighted, strict=True):
        for lang, names in columns(model, fields, language):
            by_language.setdefault(lang, []).append(SearchVector(*names, weight=weight, config=config(lang)))
    parts = [part for lang_parts in by_language.values() for part in lang_parts]
    return reduce(lambda left, right: left + right, parts)


class PostgreSQLSearchIndex(models.Index):
    """Base of the search indexes: keeps its fields, builds a GinIndex on PostgreSQL when migrating."""

    def __init__(self, *, name, **spec):
        # Not Index.__init__, which wants columns now; the attributes it sets, empty.
        self.name = name
        self.spec = spec
        self.fields, self.fields_orders, self.expressions, self.opclasses, self.include = [], [], (), (), ()
        self.condition = self.db_tablespace = None

    def deconstruct(self):
        path = f"{self.__class__.__module__}.{self.__class__.__qualname__}"
        return path, (), {"name": self.name, **self.spec}

    def gin_index(self, model):
        raise NotImplementedError

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""  # an empty statement: nothing to build
        return self.gin_index(model).create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


class SearchVectorIndex(PostgreSQLSearchIndex):
    """GIN index of the search vector in one language (fields by weight: a, b, c)."""

    def __init__(self, *, name, language, config, a=(), b=(), c=()):
        # config is part of the declaration, so a changed text-search configuration makes a migration.
        super().__init__(name=name, language=language, config=config, a=tuple(a), b=tuple(b), c=tuple(c))

    def gin_index(self, model):
        spec = self.spec
        if config(spec["language"]) != spec["config"]:
            raise ValueError(f"{self.name}: SEARCH_CONFIGS changed since the migration; run makemigrations")
        return GinIndex(vector(model, (spec["a"], spec["b"], spec["c"]), spec["language"]), name=self.name)


class TrigramIndex(PostgreSQLSearchIndex):
    """GIN trigram index of one field: every language's column in one index (any of them can use it)."""

    def __init__(self, *, name, field, languages):
        super().__init__(name=name, field=field, languages=tuple(languages))

    def gin_index(self, model):
        names = dict.fromkeys(column(model, self.spec["field"], language) for language in self.spec["languages"])
        return GinIndex(*[OpClass(F(name), name="gin_trgm_ops") for name in names], name=self.name)


def vector_column(language):
    """The stored search vector's column in a language (StoredSearchVector)."""
    return f"search_vector_{language}"


class StoredSearchVector(PostgreSQLSearchIndex):
    """The search vector in one language (fields by weight: a, b, c) as a stored generated column, and its
    GIN index (named `name`). PostgreSQL computes the column on every INSERT and UPDATE."""

    def __init__(self, *, name, language, config, a=(), b=(), c=()):
        # config is part of the declaration, so a changed text-search configuration makes a migration.
        super().__init__(name=name, language=language, config=config, a=tuple(a), b=tuple(b), c=tuple(c))

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        spec = self.spec
        if config(spec["language"]) != spec["config"]:
            raise ValueError(f"{self.name}: SEARCH_CONFIGS changed since the migration; run makemigrations")
        # Compiled as GeneratedField compiles its expression; the values (configurations) written inline.
        query = Query(model, alias_cols=False)
        compiler = query.get_compiler(connection=schema_editor.connection)
        expression = vector(model, (spec["a"], spec["b"], spec["c"]), spec["language"])
        sql, params = compiler.compile(expression.resolve_expression(query, allow_joins=False))
        sql = sql % tuple(schema_editor.quote_value(param) for param in params)
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(vector_column(spec["language"]))
        return (
            f"ALTER TABLE {table} ADD COLUMN {column} tsvector GENERATED ALWAYS AS ({sql}) STORED; "
            f"CREATE INDEX {schema_editor.quote_name(self.name)} ON {table} USING gin ({column})"
        )

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return ""
        table = schema_editor.quote_name(model._meta.db_table)
        column = schema_editor.quote_name(vector_column(self.spec["language"]))
        return f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}"  # its index goes with it


class StoredVector(Expression):
    """The stored search vector of the query's own table in a language (PostgreSQL only): what
    StoredSearchVector keeps, read as a column, so its GIN index serves `search @@ query`."""

    output_field = SearchVectorField()

    def __init__(self, language, alias=None):
        super().__init__()
        self.language, self.alias = language, alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        clone.alias = query.get_initial_alias()  # the model's own table, however the query names it
        return clone

    def relabeled_clone(self, change_map):
        clone = self.copy()
        clone.alias = change_map.get(self.alias, self.alias)
        return clone

    def as_sql(self, compiler, connection):
        column = connection.ops.quote_name(vector_column(self.language))
        return f"{compiler.quote_name(self.alias)}.{column}", []

    def get_group_by_cols(self):
        return [self]
