from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save
from django.utils.translation import gettext_lazy as _

# Names of the indexes that cicasite.core.search.index_statements() manages.
SEARCH_INDEX_PATTERN = r"^(member|event|document|initiative)_(search|trgm)_"


def sync_search_indexes(sender, using="default", verbosity=1, **kwargs):
    """PostgreSQL: create the search indexes of every language, drop those no longer wanted.

    Runs after every migrate, so a language added to settings.LANGUAGES (after the
    migration that adds its columns) gets its indexes with no code change, and an
    index whose expression changed in cicasite.core.search is replaced.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    from cicasite.core import search

    wanted = search.index_statements(connection)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname ~ %s",
            [SEARCH_INDEX_PATTERN],
        )
        existing = {name for (name,) in cursor.fetchall()}
        for name in sorted(existing - wanted.keys()):
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        for name in sorted(wanted.keys() - existing):
            cursor.execute(wanted[name])
            if verbosity >= 2:
                print(f"  Created search index {name}")


class CoreConfig(AppConfig):
    """The ground floor: what every app stands on (cicasite/core/, README "Layout").

    Its label stays "cicasite", the label its tables, migrations, permissions and
    revisions have always had, so moving the code here changed nothing in the database.
    """

    name = "cicasite.core"
    label = "cicasite"
    verbose_name = _("About CICA")

    def ready(self):
        from modeltranslation.translator import translator

        from cicasite.core import i18n, publishing
        from cicasite.core.models import publishable_models
        from cicasite.core.pagecache import bump_on_content_change

        # Every Publishable record falls under the publishing rule (the apps declare the other public models).
        for model in publishable_models():
            if not publishing.is_declared(model):
                publishing.govern(model)

        post_migrate.connect(sync_search_indexes, sender=self, dispatch_uid="cicasite.sync_search_indexes")
        # When each language of a translated record last changed (the admin's "translation outdated").
        for model in translator.get_registered_models():
            uid = f"{model._meta.label}.translation_state"
            pre_save.connect(i18n.note_changed_languages, sender=model, dispatch_uid=f"{uid}.pre")
            post_save.connect(i18n.stamp_changed_languages, sender=model, dispatch_uid=f"{uid}.post")
        # Cache invalidation, not business logic: any change to public content makes cached pages stale.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(bump_on_content_change, dispatch_uid=f"pagecache-{signal}")
