"""What each page is made from, as one digest, so a rebuild renders only pages that changed.

A page's template sees its own context, the context every page shares and the
helpers of `gazette.stages.render`; nothing else (`SiteEnvironment` refuses the one way
around that, a term's whole article list). So a digest of those inputs, with
each object reduced to what identifies its contents, tells exactly when a page
must be rendered again:

- an article by its file's digest and its URL: editing a story changes its
  page and the few pages that list or link it (its sections, tags, author,
  archive, neighbours); pages whose bytes come out the same are not written;
- a section, tag, author, series or archive by its name, URL and number of
  articles (the articles a listing shows are in its own context), and an author
  by the profile the authors data file gives them;
- the masthead's edition (date and weather of the newest story), the
  navigation, the stylesheets' URLs, the breaking news banner and the config,
  once for every page; and what the clock says of an article (its Live badge);
- each template with everything it extends, includes or imports.

This holds for any template, not only the sample theme's, which is what keeps
an incremental build byte-identical to a clean one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from gazette.digest import bytes_digest, digest
from gazette.model import Archive, Article, Page, Pagination, Term
from gazette.themes import find_template, template_names


class PageInputs:
    """Digests of pages' inputs within one build; `identities` maps an article's
    path to what identifies its contents (the source file's digest)."""

    def __init__(
        self, identities: dict[str, str], shared: str, shapes: Mapping[str, str] | None = None
    ) -> None:
        self.identities = identities
        self.shared = shared
        self.shapes = shapes or {}  # each article's place in the site, by path (see plan)
        self._memo: dict[int, str] = {}
        self._shown: list[str] | None = None

    def of(self, page: Page, template: str, shown: list[str] | None = None) -> str:
        """`template`: the digest of the page's template and all it uses; `shown`
        collects the paths of the articles the page shows."""
        parts = [self.shared, template, page.url, page.template, page.title]
        self._shown = shown
        for name, value in page.context.items():
            if name != "meta":  # made from the page, its terms and config (see structured.py)
                parts.append(name)
                self._add(value, parts)
        data = "\0".join(parts).encode("utf-8", "surrogatepass")
        return bytes_digest(data)

    def _add(self, value: Any, parts: list[str]) -> None:
        kind = type(value)
        if kind is Article:
            parts.append(f"a\x1f{value.path}\x1f{self.identities[value.path]}\x1f{value.url}")
            if value.author_urls:  # from the authors data file too: cards link bylines
                parts.append("\x1f".join(value.author_urls))
            if value.live_now:  # from the clock: its Live badge
                parts.append("live")
            if self._shown is not None:
                self._shown.append(value.path)
        elif kind is str:
            parts.append("s" + value)
        elif kind in (list, tuple):
            parts.append(f"[{len(value)}")
            for item in value:
                self._add(item, parts)
        elif kind is dict:
            parts.append(f"{{{len(value)}")
            for key, item in value.items():
                parts.append(str(key))
                self._add(item, parts)
        else:
            known = self._memo.get(id(value))
            if known is None:
                known = self._memo[id(value)] = _token(value)
            parts.append(known)


def _token(value: Any) -> str:
    if isinstance(value, Term):
        term = f"t\x1f{value.kind}\x1f{value.slug}\x1f{value.name}\x1f{value.url}\x1f{value.count}"
        return term + repr(value.profile) if value.profile is not None else term
    if isinstance(value, Archive):
        return f"r\x1f{value.url}\x1f{value.count}"
    if isinstance(value, Pagination):  # its URLs follow from the first and the count
        return f"p\x1f{value.number}\x1f{value.total}\x1f{value.urls[0] if value.urls else ''}"
    if value is None or isinstance(value, (int, float, bool, dt.date, dt.datetime)):
        return repr(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return repr(value)  # a plain record (Weather, Edition...): its repr is its contents
    raise TypeError(f"no digest for a {type(value).__name__} in a page's context")


def template_digest(env: jinja2.Environment, folders: tuple[Path, ...], name: str) -> str:
    """The digest of template `name` with everything it extends, includes or imports,
    each read from the first folder that has it (the site's, then the theme's); of
    every template in the folders when a name is computed at render time."""
    names = template_closure(env, name)
    if names is None:
        names = template_names(folders)
    parts = []
    for template in names:
        path = find_template(folders, template)
        try:
            if path is None:
                raise OSError
            parts.append(f"{template}:{path.read_bytes().hex()}")  # what it says, not where
        except OSError:
            parts.append(template + ":missing")
    return digest(*parts)


def template_closure(env: jinja2.Environment, name: str) -> list[str] | None:
    """`name` and every template it extends, includes or imports, sorted; None when a
    template name is computed at render time (then any template may be used)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
            found = jinja2.meta.find_referenced_templates(env.parse(source))
        except (jinja2.TemplateError, OSError):
            continue  # missing or broken: rendering reports it with its line
        for ref in found:
            if ref is None:
                return None
            todo.append(ref)
    return sorted(seen)
