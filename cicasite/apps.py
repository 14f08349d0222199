from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CicasiteConfig(AppConfig):
    name = "cicasite"
    verbose_name = _("About CICA")
