"""What each page was made from, so a rebuild renders only pages whose inputs changed.

Every page records, while it renders, a *trace*:

- its shape: template, URL, title and the context the site model gave it, with
  articles, sections/tags/authors and archives replaced by their identity
  (path, slug, URL), so a page that now lists other articles is seen to change;
- the attributes it read of those objects (`article.title`, `term.articles`...),
  recorded by the Jinja environment itself (every `a.b` and `a['b']` in a
  template goes through `Environment.getattr`/`getitem`) and by the filters that
  take an article, with a digest of each value.

A page is re-rendered when its shape, its templates or the site-wide settings
changed, or when an attribute it read of a changed object has a new value. So
editing a body re-renders that article's page only, a new title also the pages
that show the title, and the masthead's "latest article" line re-renders every
page only when what it shows changes. This holds for any template, not just the
sample theme, which is what keeps incremental output identical to a clean build.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable
from typing import Any

import jinja2
import jinja2.filters
import jinja2.meta

from gazette.config import Config
from gazette.model import Archive, Article, Page, Pagination, Term

Key = tuple[str, ...]  # ("a", path) | ("t", kind, slug) | ("r", url)
LATEST: Key = ("latest",)
ALL = "*"  # "every attribute": the object went somewhere we cannot see into


def key_of(obj: Any) -> Key | None:
    kind = type(obj)
    if kind is Article:
        return ("a", obj.path)
    if kind is Term:
        return ("t", obj.kind, obj.slug)
    if kind is Archive:
        return ("r", obj.url)
    return None


def _h(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _identity(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """A value with tracked objects replaced by their keys, other objects by their repr.

    `memo` caches helper objects shared by many pages (feed links, publisher) for
    the length of one build."""
    key = key_of(value)
    if key is not None:
        return key
    if isinstance(value, (list, tuple)):
        return tuple(_identity(v, memo) for v in value)
    if isinstance(value, dict):
        return tuple((str(k), _identity(v, memo)) for k, v in value.items())
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, Pagination):  # its URLs follow from the first and the count
        return ("pagination", value.number, value.total, value.urls[0] if value.urls else "")
    if isinstance(value, Page):  # a page inside another object: the page itself is the shape
        return ("page", value.url)
    if isinstance(value, Config):
        return "config"  # part of the site-wide settings digest
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if memo is not None and id(value) in memo:
            return memo[id(value)][1]
        skipped = SKIPPED_FIELDS.get(type(value).__name__, ())
        fields = [f.name for f in dataclasses.fields(value) if f.name not in skipped]
        found = (
            type(value).__name__,
            tuple((n, _identity(getattr(value, n), memo)) for n in fields),
        )
        if memo is not None and not isinstance(value, Page):
            memo[id(value)] = (value, found)  # the value is kept so its id stays unique
        return found
    return repr(value)


# Fields that a page's helper objects carry but never print (a feed link on a page
# does not show the feed's articles).
SKIPPED_FIELDS = {"FeedSpec": ("articles",)}

# Helper objects in a page's context (`meta`, the <head> data of gazette.structured)
# read the page's own article, section, author or term in Python, out of the
# recorder's sight: a page that has one depends on these attributes of those.
# A new helper that reads other context entries must be added here.
HELPER_READS: dict[str, tuple[str, ...]] = {
    "article": (ALL,),
    "section": ("name", "url", "slug"),
    "author": ("name", "url", "slug"),
    "term": ("name", "url", "slug"),
}


def helper_reads(page: Page) -> set[tuple[Key, str]]:
    """What helper objects in the page's context (not model records) may read."""
    plain = (Article, Term, Archive, Pagination, list, tuple, dict, str, int, float, bool)
    if all(value is None or isinstance(value, plain) for value in page.context.values()):
        return set()
    reads: set[tuple[Key, str]] = set()
    for name, value in page.context.items():
        key = key_of(value)
        if key is not None:
            reads.update((key, attribute) for attribute in HELPER_READS.get(name, ()))
    return reads


def shape_digest(page: Page, memo: dict[int, Any] | None = None) -> str:
    return _h(repr(("page", page.url, page.template, page.title, _identity(page.context, memo))))


class Frozen:
    """A term or archive as the last build saw it, its articles by key: what the
    disk cache keeps to compare with this build's (see `Changes`)."""

    def __init__(self, obj: Term | Archive) -> None:
        self.fields = [f.name for f in dataclasses.fields(obj)]
        for name in self.fields:
            value = getattr(obj, name)
            setattr(self, name, [key_of(v) for v in value] if isinstance(value, list) else value)
        if isinstance(obj, Archive):
            self.name = obj.name


def _all_fields(obj: Any) -> list[tuple[str, Any]]:
    names = obj.fields if isinstance(obj, Frozen) else [f.name for f in dataclasses.fields(obj)]
    return [(name, getattr(obj, name)) for name in names]


def value_digest(obj: Any, attribute: str) -> str:
    if attribute == ALL:
        return _h(repr(_identity(_all_fields(obj))))
    try:
        value = getattr(obj, attribute)
    except AttributeError:
        return "-"
    return _h(repr(_identity(value)))


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that notes which attributes of articles, terms and
    archives the template being rendered reads (`recorder`, set per page)."""

    recorder: set[tuple[Key, str]] | None = None
    # The newest article, shown in every page's masthead: reads of it are also recorded
    # under the role LATEST, so publishing a new article re-renders only the pages
    # whose masthead then shows something different.
    latest: Any = None

    def record(self, obj: Any, attributes: Iterable[str]) -> None:
        recorder = self.recorder
        if recorder is None:
            return
        key = key_of(obj)
        if key is None:
            return
        for attribute in attributes:
            recorder.add((key, attribute))
            if obj is self.latest:
                recorder.add((LATEST, attribute))

    def getattr(self, obj: Any, attribute: str) -> Any:
        if self.recorder is not None:
            self.record(obj, (attribute,))
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if self.recorder is not None and isinstance(argument, str):
            self.record(obj, (argument,))
        return super().getitem(obj, argument)


# Filters and globals that take an article read only these attributes of it;
# any other function that receives one is assumed to read all of it.
READS: dict[str, tuple[str, ...]] = {
    "link": ("url",),
    "date_line": ("date", "hijri"),
    "hijri": ("hijri",),
}


def track_functions(env: TrackingEnvironment) -> None:
    """Wrap the site's own filters and globals so articles passed to them are recorded."""
    builtin = set(jinja2.filters.FILTERS.values())
    for table in (env.filters, env.globals):
        for name, function in list(table.items()):
            if callable(function) and function not in builtin and not isinstance(function, type):
                table[name] = _tracked(env, function, READS.get(name, (ALL,)))


def _tracked(env: TrackingEnvironment, function: Callable[..., Any], reads: Iterable[str]):
    reads = tuple(reads)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if env.recorder is not None:
            for arg in (*args, *kwargs.values()):
                env.record(arg, reads)
        return function(*args, **kwargs)

    return wrapper


def template_closure(env: jinja2.Environment, name: str) -> list[str] | None:
    """`name` and every template it extends, includes or imports; None if one of them
    is chosen at render time (then a page depends on all templates)."""
    seen: list[str] = []
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        try:
            source = env.loader.get_source(env, current)[0]  # type: ignore[union-attr]
            refs = list(jinja2.meta.find_referenced_templates(env.parse(source)))
        except (jinja2.TemplateNotFound, jinja2.TemplateSyntaxError):
            continue  # the render reports it, with file and line
        if None in refs:
            return None
        todo.extend(r for r in refs if r is not None)
    return sorted(seen)


@dataclasses.dataclass(frozen=True)
class Trace:
    """What one page was made from (see the module docstring)."""

    static: str  # digest of shape + templates + site-wide settings
    reads: tuple[tuple[Key, tuple[str, ...]], ...]  # objects the page read, and what of them


_MISSING = object()


class Changes:
    """Which (object, attribute) values differ between the last build and this one.

    Old objects are kept from the last build, so values are compared directly
    (no digest is computed while rendering); each pair is compared once."""

    def __init__(self, old: dict[Key, Any], new: dict[Key, Any], dirty: set[Key]) -> None:
        self.old, self.new, self.dirty = old, new, dirty
        self._seen: dict[tuple[Key, str], bool] = {}

    def stale(self, trace: Trace, static: str) -> bool:
        if static != trace.static:
            return True
        dirty, seen = self.dirty, self._seen
        for key, attributes in trace.reads:
            if key in dirty:
                for attribute in attributes:
                    pair = (key, attribute)
                    changed = seen.get(pair)
                    if changed is None:
                        changed = seen[pair] = self._differs(key, attribute)
                    if changed:
                        return True
        return False

    def _differs(self, key: Key, attribute: str) -> bool:
        old, new = self.old.get(key), self.new.get(key)
        if old is None or new is None:
            return old is not new
        if attribute == ALL:
            return value_digest(old, ALL) != value_digest(new, ALL)
        a, b = getattr(old, attribute, _MISSING), getattr(new, attribute, _MISSING)
        if a is _MISSING or b is _MISSING:
            return a is not b
        if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
            return _identity(a) != _identity(b)
        if type(a) is not type(b):
            return True
        if isinstance(a, (str, int, float, bool)) or a is None:
            return a != b
        return repr(_identity(a)) != repr(_identity(b))
