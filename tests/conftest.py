import pytest
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Production hashes with Django's PBKDF2 default; tests only need passwords to work, fast.

    (Django's testing docs recommend this; the login-throttling tests make a dozen failed logins.)
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield
