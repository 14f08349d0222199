"""Each member of staff reads the admin in the language they chose ("My preferences").

Why a preference rather than /ru/admin/: a press officer chooses once and every admin address
then opens in their language, whoever sent it: the link in a review mail, a colleague's link to a
record, a bookmark. The review mails they receive are in that language too
(cicasite.core.review). The public site keeps its own rule: the language comes only from the
address (/ru/...), never from a cookie, a header or this preference, so its cached pages are the
same for everyone; the admin is never cached (cicasite.core.middleware).

The preference is read once per login into the session (one query at login, none per page),
and written there again when its owner changes it.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from cicasite.core.models import StaffPreferences

SESSION_KEY = "cicasite_admin_language"


def remember_language(sender, request, user, **kwargs):
    """user_logged_in: keep the admin language in the session, so pages need no query for it."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = StaffPreferences.language_of(user)


def admin_language(request):
    """The language of this staff member's admin, from the session (looked up once if missing)."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return None
    language = request.session.get(SESSION_KEY)
    if language not in dict(settings.LANGUAGES):
        language = request.session[SESSION_KEY] = StaffPreferences.language_of(user)
    return language


class AdminLanguageMiddleware:
    """Activates the staff member's admin language on /admin/ pages (after authentication).

    Anywhere else it does nothing: public pages keep the language of their address.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path_info.startswith(self.prefix):
            language = admin_language(request)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class PreferencesForm(forms.ModelForm):
    class Meta:
        model = StaffPreferences
        fields = ["language"]
        widgets = {"language": forms.RadioSelect}


def preferences_view(request):
    """/admin/preferences/: the staff member's own preferences (every member of staff, whatever their role)."""
    preferences = StaffPreferences.objects.filter(user=request.user).first() or StaffPreferences(user=request.user)
    form = PreferencesForm(request.POST or None, instance=preferences)
    if request.method == "POST" and form.is_valid():
        form.save()
        language = form.cleaned_data["language"]
        request.session[SESSION_KEY] = language
        translation.activate(language)  # the confirmation is in the language just chosen
        messages.success(request, _("Your preferences were saved."))
        return HttpResponseRedirect(request.path)
    context = {
        **admin.site.each_context(request),
        "title": _("My preferences"),
        "subtitle": None,
        "form": form,
    }
    return TemplateResponse(request, "admin/cicasite/preferences.html", context)
