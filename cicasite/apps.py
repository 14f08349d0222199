from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site layer on top of the apps: root URLs, site-wide pages and commands (README "Layout").

    It has no models. Its label is "site" because "cicasite" belongs to the ground floor
    (cicasite.core), which holds the models that always had that label.
    """

    name = "cicasite"
    label = "site"
    verbose_name = _("Site")
