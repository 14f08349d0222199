from django.conf import settings


def site(request):
    """The canonical site URL, for absolute links that never come from the Host header."""
    return {"SITE_URL": settings.SITE_URL}
