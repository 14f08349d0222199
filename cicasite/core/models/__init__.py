"""Site-wide models that belong to no single app.

- Publishable: the one definition of "public" that members, events and
  initiatives share (the editorial workflow extends it here, in one place).
- Source: the public sources that back the facts, so every record can cite them.
- Organ, SecretariatHead, Partner: how CICA works, for the /about/ page.

The models live in submodules by topic; they are all importable from here, where
Django and the migrations look for them.
"""

from cicasite.core.models.fields import CheckedImageDescriptor, CheckedImageField, CheckedImageFieldFile
from cicasite.core.models.preferences import StaffPreferences
from cicasite.core.models.publishable import (
    Publishable,
    PublishableQuerySet,
    next_publication_change,
    partly_verified_field,
    public_q,
    publishable_models,
    research_notes_field,
    verified_field,
)
from cicasite.core.models.records import LegacyRedirect, Organ, Partner, SecretariatHead, SiteSettings, Source
from cicasite.core.models.workflow import RecordQuerySet, ReviewNote, TranslationState, WorkingCopy

__all__ = [
    "CheckedImageDescriptor",
    "CheckedImageField",
    "CheckedImageFieldFile",
    "LegacyRedirect",
    "Organ",
    "Partner",
    "Publishable",
    "PublishableQuerySet",
    "RecordQuerySet",
    "ReviewNote",
    "SecretariatHead",
    "SiteSettings",
    "Source",
    "StaffPreferences",
    "TranslationState",
    "WorkingCopy",
    "next_publication_change",
    "partly_verified_field",
    "public_q",
    "publishable_models",
    "research_notes_field",
    "verified_field",
]
