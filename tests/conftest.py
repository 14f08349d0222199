import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Production hashes with Django's PBKDF2 default; tests only need passwords to work, fast.

    (Django's testing docs recommend this; the login-throttling tests make a dozen failed logins.)
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each test starts in English: a request to /ru/... leaves Russian active in the thread,
    and model code outside a request (factories, assertions) reads and writes the active
    language's columns (django-modeltranslation)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
