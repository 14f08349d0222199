"""{% cachedcontent %}: a page's main content, kept in the data cache for visitors without cookies.

    {% load fragments %}
    {% block content %}{% cachedcontent %}<main …>…</main>{% endcachedcontent %}{% endblock %}

Rendered once per language and address (with its query string) and kept until a table it depends on
changes (cicasite.core.pagecache.cached_data): those its own queries read and those the view read
before it, when the view is wrapped in cicasite.core.views.content_fragments. Anything else (a view
not so wrapped, a member of staff, a cookie, a publishing sandbox, DATA_CACHE off) renders it as
usual. What is inside must not depend on the request beyond its language and address: no CSRF token,
no CSP nonce (the page cache would not store such a page either).

A view may leave to a content_context() what only the content shows (prefetches of the record's
relations, lists of related records): a method of a class-based view, or a function in the context
of a function view. It is called when the content is rendered, so a kept fragment costs none of
those queries.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cicasite.core.pagecache import cached_data
from cicasite.core.views import fragment_cacheable

register = template.Library()


class CachedContentNode(template.Node):
    def __init__(self, nodelist, name):
        self.nodelist = nodelist
        self.name = name

    def render(self, context):
        request = context.get("request")
        since = getattr(request, "content_reading", None)
        if since is None or not fragment_cacheable(request):
            return self.render_content(context)
        html = cached_data(
            f"content:{self.name}",
            f"{get_language()} {request.get_full_path()}",
            lambda: self.render_content(context),
            since,
        )
        return mark_safe(html)

    def render_content(self, context):
        """The content, with what the view looks up for it alone (its content_context(), if it has one:
        prefetches and lists the rest of the page does not show) looked up now, never for a kept one."""
        view = context.get("view")
        prepare = getattr(view, "content_context", None) or context.get("content_context")
        extra = prepare() if prepare else {}
        with context.push(**extra):
            return self.nodelist.render(context)


@register.tag
def cachedcontent(parser, token):
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("cachedcontent takes no arguments")
    nodelist = parser.parse(("endcachedcontent",))
    parser.delete_first_token()
    # One name per place in the templates: the template and the line of the tag.
    return CachedContentNode(nodelist, f"{parser.origin.template_name}:{token.lineno}")
