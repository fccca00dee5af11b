"""The site's sources: which content files changed, their articles, and their texts.

Reading happens in two passes. The first reads and validates every changed
file's front matter (and finds the texts already converted in the store), so a
mistake anywhere in a big site is reported within seconds; only when every file
is valid does the second pass convert the new Markdown, in workers, into the
`TextStore`. The engine keeps each article without its text: lists, feeds and
the site model need titles, dates and URLs, not bodies.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from gazette.digest import bytes_digest, digest
from gazette.engine.cache import TextStore
from gazette.engine.plan import article_shape
from gazette.engine.state import Source, State
from gazette.engine.workers import Workers
from gazette.errors import GazetteError
from gazette.model import Article
from gazette.stages.config import Config, MarkdownConfig
from gazette.stages.content import markdown_files, read_articles
from gazette.stages.frontmatter import read_source, split_front_matter
from gazette.stages.markup import MarkdownRenderer, convert_article, opening_text

MARKUP_VERSION = "3"  # bump when markup.py's output changes for the same input
PARALLEL_MIN_ARTICLES = 100

Stat = tuple[int, int, int]


@dataclass
class Changes:
    """What one look at the sources found."""

    errors: list[GazetteError]  # every file's problems (those keep their previous state)
    touched: set[str]  # relative paths whose state changed at all (cache shards to save)
    dirty: set[str]  # relative paths whose article did (new, edited or gone)


@dataclass
class Unsettled:
    """Files the state does not hold as they are, kept between looks (the preview's
    engine looks only at the files a save names): their problems, until they are fixed
    or gone, and the valid ones read while another file was broken, not yet converted."""

    errors: dict[str, list[GazetteError]] = field(default_factory=dict)
    unconverted: set[str] = field(default_factory=set)


def text_key(article: Article, config: Config) -> str:
    """What an article's HTML is made from: its body, dateline, credit, the markup code
    and the [markdown] settings."""
    parts = (MARKUP_VERSION, article.body, article.dateline or "", article.source or "")
    if article.live:  # its updates' times and anchors, read with the front matter
        parts += (repr(article.live_updates), repr(article.date))
    options = repr(config.markdown) if config.markdown != MarkdownConfig() else ""
    return digest(*parts, "sanitized" if config.content.untrusted else "raw", options)


def lean(article: Article, html: str) -> Article:
    """The article as lists, feeds and the site model keep it: without its text."""
    return dataclasses.replace(article, body="", html="", toc="", opening=opening_text(html))


def stat_key(st: os.stat_result) -> Stat:
    return (st.st_size, st.st_mtime_ns, st.st_ino)


@dataclass
class _Job:
    """What both passes' workers need (inherited by forked workers)."""

    config: Config
    store: TextStore
    fresh: bool  # the store is empty: no use looking texts up
    to_convert: list[tuple[str, Path, Article]] = field(default_factory=list)
    # Made once, before the workers fork, for every chunk of every worker: making one
    # costs as much as converting a few articles.
    renderer: MarkdownRenderer | None = None


_JOB: _Job | None = None  # set only while sources are read


# (relative path, stat, digest, lean article or None, problems, text key, text is stored)
Read = tuple[str, Stat, str, "Article | None", list[GazetteError], str, bool]


def _read(items: list[tuple[str, Path]]) -> list[Read]:
    """Read and validate a chunk of source files (runs in a worker process); an article
    whose text the store has comes back whole, the others wait for `_convert`."""
    job = _JOB
    assert job is not None
    read = []
    for relative, path in items:
        try:
            st = path.stat()
            data_digest = bytes_digest(path.read_bytes())
        except FileNotFoundError:
            continue  # deleted meanwhile: the next scan sees it gone
        read.append((relative, stat_key(st), data_digest, *read_articles(job.config, [path])))
    keys = {r[0]: text_key(r[3][0], job.config) for r in read if r[3]}
    stored = {} if job.fresh else job.store.get_many(list(keys.values()))
    out: list[Read] = []
    for relative, stat, data_digest, articles, errors in read:
        if not articles:
            out.append((relative, stat, data_digest, None, errors, "", False))
            continue
        key = keys[relative]
        known = stored.get(key)
        # a body not yet converted goes back to the parent without its text: `_convert`
        # reads it again where it is needed
        article = lean(articles[0], known[0]) if known else replace(articles[0], body="")
        out.append((relative, stat, data_digest, article, errors, key, known is not None))
    return out


def _convert(indices: list[int]) -> list[tuple[int, str | None]]:
    """Convert the Markdown of `job.to_convert[i]` into the store (runs in a worker);
    returns each one's opening words (None: the file went or broke since it was read).
    The body is read again from its file rather than sent back and forth: a first
    build would otherwise carry every body twice."""
    job = _JOB
    assert job is not None
    renderer = job.renderer
    assert renderer is not None
    sanitize = job.config.content.untrusted
    out, texts = [], []
    for index in indices:
        relative, path, article = job.to_convert[index]
        try:
            body = split_front_matter(read_source(path, job.config.content_dir), relative)[1]
        except (OSError, GazetteError):  # saved again meanwhile: the next look reads it
            out.append((index, None))
            continue
        full = dataclasses.replace(article, body=body)
        html, toc = convert_article(renderer, full, sanitize)
        texts.append((text_key(full, job.config), html, toc))  # the body as read just now
        out.append((index, opening_text(html)))
    job.store.put(texts)
    return out


def update_sources(
    state: State,
    config: Config,
    changed: set[Path] | None,
    store: TextStore,
    workers: Workers,
    unsettled: Unsettled,
    keep_going: bool = False,
) -> Changes:
    """Bring `state.sources` up to date with content/; `changed` (absolute paths) is
    trusted when given, else every file's stat is compared with the state's.
    Raises every problem in the files read (after recording the valid ones whose
    text is already converted) before any Markdown is converted; `keep_going`
    converts the valid ones anyway (check, which reports everything it can)."""
    candidates, gone = _candidates(state, config, changed, unsettled)
    told = {str(p) for p in changed} if changed is not None else set()
    pending: list[tuple[str, Path]] = []
    for relative, name in sorted(candidates.items()):
        known = state.sources.get(relative)
        if known is not None and not (told and os.path.abspath(name) in told):
            try:
                if known.stat == stat_key(os.stat(name)):
                    continue
            except FileNotFoundError:
                gone.add(relative)
                continue
        pending.append((relative, Path(name)))
    changes = Changes([], set(), set())
    if pending:
        _read_and_convert(state, config, store, workers, pending, changes, unsettled, keep_going)
    for relative in gone:
        unsettled.errors.pop(relative, None)
        unsettled.unconverted.discard(relative)
        if state.sources.pop(relative, None) is not None:
            changes.dirty.add(relative)
    changes.touched |= gone
    changes.errors = [
        e for relative in sorted(unsettled.errors) for e in unsettled.errors[relative]
    ]
    return changes


def _candidates(
    state: State, config: Config, changed: set[Path] | None, unsettled: Unsettled
) -> tuple[dict[str, str], set[str]]:
    """The files to look at (relative path -> path, as text: 100,000 of them) and those
    known to be gone. A folder, a symlink or a file other than Markdown changed: look
    at them all (the walk applies the config's rule for links)."""
    content_dir = config.content_dir
    content_abs = content_dir.absolute()
    if changed is not None and state.sources:
        candidates = {r: str(content_dir / r) for r in unsettled.unconverted}
        gone: set[str] = set()
        for path in changed:
            if content_abs not in path.parents:
                continue
            if path.suffix != ".md" or path.is_dir() or path.is_symlink():
                break
            relative = path.relative_to(content_abs).as_posix()
            if path.is_file():
                candidates[relative] = str(content_dir / relative)
            else:
                gone.add(relative)
        else:
            return candidates, gone
    cut = len(str(content_dir)) + 1
    candidates = {
        p[cut:].replace(os.sep, "/"): p for p in markdown_files(content_dir, config.links)
    }
    known = state.sources.keys() | unsettled.errors.keys() | unsettled.unconverted
    return candidates, known - candidates.keys()


def _read_and_convert(
    state: State,
    config: Config,
    store: TextStore,
    workers: Workers,
    pending: list[tuple[str, Path]],
    changes: Changes,
    unsettled: Unsettled,
    keep_going: bool,
) -> None:
    global _JOB
    _JOB = job = _Job(config, store, store.empty())
    try:
        results = sorted(
            workers.map(_read, pending, PARALLEL_MIN_ARTICLES, "articles"), key=lambda r: r[0]
        )
        seen = {r[0] for r in results}
        changes.touched |= {relative for relative, _ in pending}
        changes.dirty |= {relative for relative, _ in pending if relative not in seen}
        for relative in changes.dirty:  # deleted while we looked
            state.sources.pop(relative, None)
            unsettled.errors.pop(relative, None)
        waiting = []
        for relative, stat, data_digest, article, problems, key, stored in results:
            unsettled.unconverted.discard(relative)
            if problems:
                unsettled.errors[relative] = problems
            else:
                unsettled.errors.pop(relative, None)
            known = state.sources.get(relative)
            if known is not None and known.digest == data_digest:
                known.stat = stat  # touched, not changed
            elif article is not None and stored:
                state.sources[relative] = Source(
                    stat, data_digest, article, key, article_shape(article)
                )
                changes.dirty.add(relative)
            elif article is not None:
                waiting.append((relative, stat, data_digest, article, key))
        if unsettled.errors and not keep_going:
            # the caller reports them; nothing is converted for a broken site
            unsettled.unconverted |= {relative for relative, *_ in waiting}
            return
        job.to_convert = [(r, config.content_dir / r, a) for r, _, _, a, _ in waiting]
        job.renderer = MarkdownRenderer(config.markdown) if waiting else None
        openings = dict(
            workers.map(_convert, range(len(waiting)), PARALLEL_MIN_ARTICLES, "articles")
        )
        for index, (relative, stat, data_digest, article, key) in enumerate(waiting):
            opening = openings[index]
            if opening is None:
                unsettled.unconverted.add(relative)
                continue
            article = dataclasses.replace(article, opening=opening)
            state.sources[relative] = Source(
                stat, data_digest, article, key, article_shape(article)
            )
            changes.dirty.add(relative)
    finally:
        _JOB = None


def convert_into_store(config: Config, store: TextStore, paths: list[Path]) -> bool:
    """Convert the Markdown of these files into the store, unless it has them: run in a
    process of its own (`workers.Ahead`) while the engine loads its cache, the reading
    that follows finds each text stored and converts nothing."""
    articles, _ = read_articles(config, paths)  # the broken ones are reported later
    keys = [text_key(article, config) for article in articles]
    stored = store.get_many(keys)
    todo = [(key, a) for key, a in zip(keys, articles, strict=True) if key not in stored]
    if todo:
        renderer, sanitize = MarkdownRenderer(config.markdown), config.content.untrusted
        store.put([(key, *convert_article(renderer, a, sanitize)) for key, a in todo])
    return True


def with_texts(
    state: State, config: Config, store: TextStore, articles: list[Article]
) -> list[Article]:
    """`articles` with their HTML and table of contents, from the text store
    (converted again if the store lost one)."""
    keys = [state.sources[article.path].text for article in articles]
    stored = store.get_many(keys)
    out = []
    for article, key in zip(articles, keys, strict=True):
        found = stored.get(key)
        if found is None:
            full, errors = read_articles(config, [config.content_dir / article.path])
            if errors:
                raise errors[0]
            renderer = MarkdownRenderer(config.markdown)
            found = convert_article(renderer, full[0], config.content.untrusted)
            store.put([(key, *found)])
        out.append(dataclasses.replace(article, html=found[0], toc=found[1]))
    return out
