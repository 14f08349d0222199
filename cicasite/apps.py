from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class CicasiteConfig(AppConfig):
    name = "cicasite"
    verbose_name = _("About CICA")

    def ready(self):
        from cicasite.pagecache import bump_on_content_change

        # Cache invalidation, not business logic: any change to public content makes cached pages stale.
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(bump_on_content_change, dispatch_uid=f"pagecache-{signal}")
