"""Static files in production: hashed names, gzip copies (whitenoise), minified CSS, one stylesheet a page.

The stylesheets are written for people (comments, one declaration a line). What collectstatic
stores is minified by rcssmin, a well-kept minifier (django-compressor's), so the public pages stay
within the page-weight budget (HTML + CSS under 60 KB, bench/bench.py) with no build step and no
second copy of the CSS in the repository. Licence comments (/*! ... */) are kept.

A page links one stylesheet: site.css, or its own (home, matrix, timeline, search, documents,
about). Each is a few @imports of parts (base.css, lists.css, map.css, tables.css) and the page's
own rules. The development server lets the browser follow the imports; collectstatic puts each
part in place of its @import, so a page still loads one stylesheet (issue 5: no render-blocking
resource besides it) and carries no rules of pages it is not.

Only the stored copies change: names are still hashed from the source (after Django has rewritten
its url()s, the @imports' to base.<hash>.css), so a change of a part changes the pages' names.
"""

import posixpath
import re

import rcssmin
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

# A leading @import of a stylesheet beside this one, by its name or its hashed name (site.1a2b3c4d5e6f.css).
IMPORT = re.compile(r"""@import\s+url\(\s*["']?(?P<name>[\w-]+?)(?:\.[0-9a-f]{12})?\.css["']?\s*\)\s*;""")


def minify_css(text):
    return rcssmin.cssmin(text, keep_bang_comments=True)


def inline_imports(name, text):
    """text with each @import of a stylesheet in its own folder replaced by that file's source.

    The imported file must not import or refer to anything itself (no url()): its text is pasted
    as it is, so a relative reference in it would be wrong here; refused rather than broken.
    """

    def source(match):
        imported = posixpath.join(posixpath.dirname(name), match["name"] + ".css")
        path = finders.find(imported)
        if path is None:
            raise ImproperlyConfigured(f"{name} imports {imported}, which is not a static file.")
        with open(path, encoding="utf-8") as file:
            content = file.read()
        if "@import" in content or "url(" in content:
            raise ImproperlyConfigured(f"{imported} is imported by {name}: it may not import or refer to files.")
        return content

    return IMPORT.sub(source, text)


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """CompressedManifestStaticFilesStorage that stores every .css file minified, its imports inlined."""

    def _save(self, name, content):
        if name.endswith(".css"):
            content.seek(0)
            text = content.read()
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            content = ContentFile(minify_css(inline_imports(name, text)).encode("utf-8"))
        return super()._save(name, content)
