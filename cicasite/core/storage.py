"""Uploads on S3-compatible object storage (MEDIA_STORAGE=s3): a private bucket behind /media/.

S3 stores no X-Content-Type-Options header on an object (only Content-Type, Content-Disposition,
Cache-Control and the like); files reach browsers typed by the allow-list, from a signed URL
that /media/ hands out, and a CDN in front of the bucket should add nosniff (docs/production.md, media).
"""

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from cicasite.core.media import SIGNED_URL_SECONDS, content_disposition, content_type


class MediaS3Storage(S3Storage):
    """Uploads on S3-compatible object storage, in a private bucket, reached only through /media/.

    url() is the site's /media/<name> (pages stay cacheable and every fetch passes the check of
    cicasite.core.media); signed_url() is what /media/ redirects to. Objects get the Content-Type of the
    allow-list and a Content-Disposition, whatever the uploader's browser said.
    """

    def url(self, name, parameters=None, expire=None, http_method=None):
        return settings.MEDIA_URL + filepath_to_uri(name)

    def signed_url(self, name, cache_control):
        params = {
            "Bucket": self.bucket.name,
            "Key": self._normalize_name(clean_name(name)),
            # Also forced on the answer, for objects stored before the parameters below existed.
            "ResponseContentType": content_type(name),
            "ResponseContentDisposition": content_disposition(name),
            "ResponseCacheControl": cache_control,
        }
        client = self.bucket.meta.client
        return client.generate_presigned_url("get_object", Params=params, ExpiresIn=SIGNED_URL_SECONDS)

    def get_object_parameters(self, name):
        return {
            **super().get_object_parameters(name),
            "ContentType": content_type(name),
            "ContentDisposition": content_disposition(name),
            "CacheControl": "private, no-store",  # the signed answer says otherwise for public records
        }
