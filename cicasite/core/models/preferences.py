"""What each member of staff chooses for themselves: the language of their admin."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def language_choices():
    # A callable, so adding a language to settings.LANGUAGES needs no migration of this field.
    return settings.LANGUAGES


def default_language():
    return settings.LANGUAGE_CODE


class StaffPreferences(models.Model):
    """One person's admin preferences, edited on their "My preferences" page (cicasite.core.preferences).

    The admin (/admin/...) is shown in `language` to its owner: pages, messages, help texts and the
    review mails sent to them. The public site is not: its language comes only from the address.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff_preferences",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("admin language"),
        max_length=16,
        choices=language_choices,
        default=default_language,
        help_text=_(
            "The language of the admin's pages, messages and help texts, and of the review mails you get. "
            "The public site keeps the language of its address (/ru/ for Russian)."
        ),
    )

    class Meta:
        verbose_name = _("staff preferences")
        verbose_name_plural = _("staff preferences")

    def __str__(self):
        return f"{self.user} ({self.language})"

    @classmethod
    def language_of(cls, user):
        """The admin language user chose, or the site's default; one query (none for an anonymous user)."""
        if user is None or not getattr(user, "pk", None):
            return settings.LANGUAGE_CODE
        language = cls.objects.filter(user=user).values_list("language", flat=True).first()
        return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
