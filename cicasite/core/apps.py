from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The ground floor: what every app stands on (cicasite/core/, README "Layout").

    Its label stays "cicasite", the label its tables, migrations, permissions and
    revisions have always had, so moving the code here changed nothing in the database.
    """

    name = "cicasite.core"
    label = "cicasite"
    verbose_name = _("About CICA")

    def ready(self):
        from django.db.models import fields
        from modeltranslation.translator import translator

        from cicasite.core import i18n, logs, preferences, publishing, richtext, search
        from cicasite.core.models import publishable_models
        from cicasite.core.pagecache import bump_on_content_change

        # Every Publishable record falls under the publishing rule (the apps declare the other public models).
        for model in publishable_models():
            if not publishing.is_declared(model):
                publishing.govern(model)

        # When each language of a translated record last changed (the admin's "translation outdated").
        for model in translator.get_registered_models():
            uid = f"{model._meta.label}.translation_state"
            pre_save.connect(i18n.note_changed_languages, sender=model, dispatch_uid=f"{uid}.pre")
            post_save.connect(i18n.stamp_changed_languages, sender=model, dispatch_uid=f"{uid}.post")
        # Cache invalidation, not business logic: any change to public content makes cached pages stale.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(bump_on_content_change, dispatch_uid=f"pagecache-{signal}")
        # Session state, not business logic: the admin language is read once per login (cicasite.core.preferences).
        user_logged_in.connect(preferences.remember_language, dispatch_uid="cicasite.admin_language")
        # Logging, not business logic: logins, logouts and failed logins (as keyed hashes) go to cicasite.security.
        user_login_failed.connect(logs.log_login_failed, dispatch_uid="cicasite.log_login_failed")
        user_logged_in.connect(logs.log_logged_in, dispatch_uid="cicasite.log_logged_in")
        user_logged_out.connect(logs.log_logged_out, dispatch_uid="cicasite.log_logged_out")
        # Django 6.1's new blank choice has no Russian in Django's catalogue yet: ours translates it.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")
        # Not business logic either: SQLite learns the plain text of rich text (the search fallback).
        connection_created.connect(richtext.sqlite_functions, dispatch_uid="richtext-sqlite-functions")
        # Nor this: PostgreSQL plans site search's prepared statements once per connection (cicasite.core.search).
        connection_created.connect(search.generic_plans, dispatch_uid="search-generic-plans")
