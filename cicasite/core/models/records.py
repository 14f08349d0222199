"""The records of no single app: sources, organs, secretariat heads, partners, site settings, old addresses."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cicasite.core import publishing
from cicasite.core.models.publishable import partly_verified_field, research_notes_field, verified_field
from cicasite.core.richtext import RICH_TEXT_MAX_LENGTH, RichTextField


class Source(models.Model):
    """A public source that a fact in the archive rests on (articles, official pages)."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("Short identifier used in citations, for example S05."),
    )
    title = models.CharField(_("title"), max_length=500, help_text=_("Who published it and what."))
    url = models.URLField(_("address"), max_length=1000, blank=True, help_text=_("Link to the source."))
    used_for = models.TextField(_("used for"), max_length=2000, blank=True, help_text=_("Which facts it supports."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return f"{self.code}: {self.title}"


class Organ(models.Model):
    """A body of CICA: summit, ministerial council, secretariat, advisory councils."""

    class Kind(models.TextChoices):
        GOVERNING = "governing", _("Governing body")
        WORKING = "working", _("Working body")
        EXECUTIVE = "executive", _("Executive body")
        ADVISORY = "advisory", _("Advisory body")

    name = models.CharField(_("name"), max_length=200, help_text=_("Full name of the body."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the name."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, help_text=_("What role it plays."))
    summary = models.TextField(
        _("summary"), max_length=2000, blank=True, help_text=_("What it does, in a few sentences.")
    )
    body = RichTextField(
        _("details"),
        max_length=RICH_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Further facts: paragraphs, lists, links."),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order on the About page (smallest first).")
    )
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = research_notes_field()
    sources = models.ManyToManyField(Source, blank=True, verbose_name=_("sources"))

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("organ")
        verbose_name_plural = _("organs")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="organ_slug_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("about") + f"#{self.slug}"


class SecretariatHead(models.Model):
    """A head (or deputy head) of the CICA Secretariat."""

    name = models.CharField(_("name"), max_length=200, help_text=_("Full name."))
    country = models.CharField(_("country"), max_length=100, blank=True, help_text=_("Country of nationality."))
    title = models.CharField(
        _("title"), max_length=100, help_text=_("Title of the office held, e.g. Secretary General.")
    )
    is_deputy = models.BooleanField(_("deputy"), default=False, help_text=_("A deputy head."))
    start_year = models.PositiveSmallIntegerField(_("from"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(
        _("until"), null=True, blank=True, help_text=_("Empty while in office.")
    )
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = research_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="secretariat_heads", verbose_name=_("sources"))

    class Meta:
        ordering = ["is_deputy", "start_year", "name"]
        verbose_name = _("secretariat head")
        verbose_name_plural = _("secretariat heads")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="secretariathead_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.title})"


class Partner(models.Model):
    """An organisation CICA has a cooperation agreement with."""

    name = models.CharField(_("name"), max_length=300, help_text=_("Name of the organisation."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self):
        return self.name


class SiteSettings(models.Model):
    """Who publishes this website: one row, edited in the admin, read by the footer, /about/ and JSON-LD.

    load_cica creates the row with a default that claims nothing beyond what the data shows;
    editors then name the real publisher. Until the row exists, pages use the same default.
    """

    ROW = 1
    # Until editors name the publisher: nothing the data does not show (no "independent", no team).
    DEFAULTS = {
        "publisher_name": {"en": "The editors of this website", "ru": "Редакция этого сайта"},
        "publisher_description": {
            "en": "This website gathers public facts about CICA from the sources cited on each page. "
            "Each record says whether a source independent of the first report has confirmed it.",
            "ru": "Сайт собирает открытые сведения о СВМДА из источников, указанных на каждой странице. "
            "У каждой записи отмечено, подтверждена ли она источником, независимым от первого сообщения.",
        },
    }

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW, editable=False)
    publisher_name = models.CharField(
        _("publisher"),
        max_length=200,
        help_text=_("Who publishes this website, as shown in the footer, on the About page and to search engines."),
    )
    publisher_description = models.TextField(
        _("about the publisher"),
        max_length=1000,
        blank=True,
        help_text=_("One or two sentences for the About page: who publishes the site and how it is compiled."),
    )
    publisher_url = models.URLField(
        _("publisher's website"), max_length=500, blank=True, help_text=_("Full address; leave empty if none.")
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="sitesettings_single_row")]

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.id = self.ROW
        super().save(*args, **kwargs)

    @classmethod
    def default_values(cls):
        """The default texts in every language's column (publisher_name_en, publisher_name_ru...)."""
        return {
            f"{field}_{language}": text for field, texts in cls.DEFAULTS.items() for language, text in texts.items()
        }

    @classmethod
    def current(cls):
        """The settings row, or an unsaved default (one query; never writes).

        With the database down, the default too: error pages (404, 503) render without it.
        """
        try:
            return cls.objects.filter(pk=cls.ROW).first() or cls(**cls.default_values())
        except DatabaseError:
            return cls(**cls.default_values())


class LegacyRedirect(models.Model):
    """An address of the old official site (s-cica.org) and the page that replaces it here."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Page: index.php?view=page&t=<key>")
        NEWS = "news", _("News: /news_detail/?newsid=<key>")
        SPEECH = "speech", _("Speech: /speeches_detail/?id=<key>")

    kind = models.CharField(_("kind of old address"), max_length=10, choices=Kind, default=Kind.PAGE)
    key = models.CharField(
        _("old key"), max_length=200, help_text=_("The t=, newsid= or id= value of the old address.")
    )
    target = models.CharField(
        _("new address"),
        max_length=500,
        help_text=_("A path on this site, starting with a single /, e.g. /events/first-cica-summit-2002/."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("For editors only."))

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("old-site redirect")
        verbose_name_plural = _("old-site redirects")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="legacyredirect_kind_key_unique"),
            # Only paths on this site: never an open redirect to another host.
            models.CheckConstraint(
                condition=models.Q(target__startswith="/") & ~models.Q(target__startswith="//"),
                name="legacyredirect_target_is_local_path",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} → {self.target}"

    def clean(self):
        super().clean()
        if not self.target.startswith("/") or self.target.startswith("//") or "\\" in self.target:
            raise ValidationError({"target": _("Give a path on this site, starting with a single /.")})
        if self.target.startswith(settings.MEDIA_URL):
            raise ValidationError({"target": _("Give the address of a page, not of an uploaded file.")})


# Public content (cicasite.core.publishing). A source shows only once a public record cites it,
# and citing it is a change to that record; organs, heads, partners and redirects are public at once.
publishing.govern(Source, live_when_new=False)
publishing.govern(Organ)
publishing.govern(SecretariatHead)
publishing.govern(Partner)
publishing.govern(LegacyRedirect)
publishing.govern(SiteSettings)
