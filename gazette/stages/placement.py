"""The front matter keys that say where a file goes on the site: what kind of file it
is (article or page), a page's own URL and template, and the old URLs it answers at."""

from __future__ import annotations

from typing import Any

from gazette.stages.config_checks import url_path_problem
from gazette.stages.front import Front, short


def page_or_article(key: str, value: Any, front: Front) -> str:
    """A file in content/pages/ is a page unless it says otherwise."""
    if value is None:
        return "page" if (front.within or front.path).startswith("pages/") else "article"
    if value not in ("article", "page"):
        raise front.fail(
            key, f"'kind' must be article or page, not {short(value)}", "write 'kind: page'"
        )
    return str(value)


_ALIAS_HINT = "write site paths from the old site, e.g. 'aliases: [/2013/01/11/old-slug/]'"


def aliases(key: str, value: Any, front: Front) -> tuple[str, ...]:
    """Old URLs as site paths without the leading '/' ("?p=12" for the old home's query)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise front.fail(key, "'aliases' must be a list of paths", _ALIAS_HINT)
    found: dict[str, None] = {}
    for alias in value:
        why = url_path_problem(alias, query=True)
        if why:
            raise front.fail(key, f"alias '{short(alias)[1:-1]}' {why}", _ALIAS_HINT)
        found.setdefault(alias.lstrip("/"), None)
    return tuple(found)


def permalink(key: str, value: Any, front: Front) -> str | None:
    """A page's own `url:`; an article's URL comes from the site's permalink pattern."""
    value = front.meta.get("url")
    if value is None:
        return None
    hint = "write e.g. 'url: /about-us/' or 'url: /contact.html'"
    if not front.is_page:
        raise front.fail(
            "url",
            "only a page takes 'url:'",
            "articles follow [site] permalink; for an "
            "old URL of this story, write it in 'aliases:'",
        )
    why = "must be text" if not isinstance(value, str) else url_path_problem(value)
    if why is None and not (value.endswith("/") or value.endswith(".html")):
        why = "must end with '/' (a folder's index.html) or '.html'"
    if why:
        raise front.fail("url", f"'url' {why}", hint)
    return value.lstrip("/")


def template(key: str, value: str | None, front: Front) -> str | None:
    """Runs after `_text`; the template's existence is checked with the others'."""
    if value is None:
        return None
    if not value.endswith(".html") or url_path_problem("/" + value):
        raise front.fail(
            key,
            f"'template' must name an .html file in templates/, not {short(value)}",
            "write e.g. 'template: page_wide.html'",
        )
    return value
