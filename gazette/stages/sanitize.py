"""Raw HTML from untrusted writers made harmless, with nh3 (the Rust ammonia sanitizer).

Used only when `[content] untrusted = true`: a newsroom's own staff may embed
what they like, but wire copy and contributors' files must not be able to run
script on the site's pages. What Markdown itself produces (tables, footnotes,
highlighted code, heading ids) is kept; scripts, event handlers, styles,
frames, forms and any URL that is not http(s), mailto, tel or relative go.
"""

from __future__ import annotations

import nh3

TAGS = set(nh3.ALLOWED_TAGS) | {"span", "div", "sup", "sub", "figure", "figcaption"}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Markdown's own output uses class (code, footnotes), id (headings, footnotes) and title.
GENERIC_ATTRIBUTES = {"class", "id", "title", "lang", "dir"}
ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(values) for tag, values in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": GENERIC_ATTRIBUTES,
    "a": {"href", "hreflang", "rev"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "abbr": {"title"},
    "time": {"datetime"},
}
DROPPED_WITH_CONTENT = {"script", "style"}


def sanitize_html(html: str) -> str:
    """Keep the article's text and structure; remove everything that could run."""
    return nh3.clean(
        html,
        tags=TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
