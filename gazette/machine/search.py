"""The search index: every story's text, indexed by Pagefind into `pagefind/`.

Records are made from the site model and the stories' HTML, not from rendered
pages, so the index holds the story text only (never navigation or listings)
and needs no page rendered again. Pagefind splits its index by language and a
search page searches its own language only, so the whole site goes into one
index in the site's language: a Bengali or Arabic story is still found, word
by word, from the same search box.

The stories are indexed in parts (`stages.search_parts`: which and how many),
one Pagefind run each, one after another; the search page merges them. Each
part is kept by the digest of its records and used again while they are the
same, so a rebuild indexes only the parts whose stories changed, one part for
an edit; and `search_bundle` puts what Pagefind writes in a hash map's order in
one order, so the same records give the same bytes in any build
(Pagefind/pagefind#638).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import shutil
import subprocess
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gazette.digest import digest
from gazette.errors import GazetteError
from gazette.machine.search_bundle import make_empty, make_reproducible
from gazette.model import Article, Site, output_path
from gazette.stages.assets import OutputFile, StoredFile
from gazette.stages.config import Config
from gazette.stages.editions import language_name
from gazette.stages.markup import plain_text
from gazette.stages.render import gregorian
from gazette.stages.search_parts import part_count, part_folder, part_of

TextLoader = Callable[[list[Article]], list[Article]]


@dataclass(frozen=True)
class Record:
    """One story as the index holds it; URLs site-relative, as the search page expects."""

    url: str
    title: str
    content: str
    meta: dict[str, str]
    filters: dict[str, list[str]]
    sort: dict[str, str]


def language_of(config: Config) -> str:
    """Pagefind's language code: the primary subtag ('bn' from 'bn-BD'), the default
    edition's on a site of several."""
    language = config.editions[0].code if config.editions else config.site.language
    return language.replace("_", "-").split("-")[0].lower() or "en"


def section_names(site: Site) -> dict[tuple[str, str], str]:
    """(edition, section slug) -> the section's name in that edition's language."""
    parts = site.editions.items() if site.editions else [("", site)]
    return {(code, s.slug): s.name for code, part in parts for s in part.sections}


def story_parts(articles: list[Article]) -> list[list[Article]]:
    """The stories of each part of the index, in the site's order."""
    count = part_count(len(articles))
    parts: list[list[Article]] = [[] for _ in range(count)]
    for article in articles:
        parts[part_of(article.path, count)].append(article)
    return parts


def part_keys(
    site: Site, parts: list[list[Article]], sources: dict[str, str], *salt: str
) -> list[str]:
    """Each part's key: what its records are made of, known without reading any text
    (each story's file and place, and its section's name; `sources`: path -> the file's
    digest), with the part's number, the count of parts and `salt`."""
    names = section_names(site)
    keys = []
    for number, part in enumerate(parts):
        rows = [
            (a.path, sources.get(a.path, ""), a.url, names.get((a.edition, a.section), ""))
            for a in part
        ]
        keys.append(digest(*salt, f"part {number} of {len(parts)}", repr(rows)))
    return keys


def make_records(
    site: Site, texts: TextLoader, config: Config, articles: list[Article] | None = None
) -> list[Record]:
    """The records of `articles` (None: every story of the site)."""
    names = section_names(site)
    records = []
    for article in texts(site.articles if articles is None else articles):
        section = names.get((article.edition, article.section), article.section)
        date = gregorian(article.date, config.site.date_format)
        meta = {"title": article.title, "date": date, "section": section}
        if article.kicker:
            meta["kicker"] = article.kicker
        if article.image:
            meta["image"] = article.image
            meta["image_alt"] = article.image_alt or article.title
        filters = {"section": [section], "year": [str(article.date.year)], "type": [article.type]}
        if article.authors:
            filters["author"] = list(article.authors)
        if article.edition:  # one index for every edition: a reader narrows it by language
            filters["language"] = [language_name(article.edition)]
        body = plain_text(article.html)
        records.append(
            Record(
                article.url,
                article.title,
                f"{article.title}\n{article.summary or ''}\n{body}",
                meta,
                filters,
                {"date": article.date.isoformat()},
            )
        )
    return records


def record_page(record: Record, language: str) -> str:
    """A record as the small HTML page Pagefind's command line reads: its text to index,
    and (not indexed) its metadata, filters and sort keys."""
    e = html.escape
    hidden = [f'<span data-pagefind-meta="{e(k)}">{e(v)}</span>' for k, v in record.meta.items()]
    hidden += [
        f'<span data-pagefind-filter="{e(name)}">{e(value)}</span>'
        for name, values in record.filters.items()
        for value in values
    ]
    hidden += [f'<span data-pagefind-sort="{e(k)}">{e(v)}</span>' for k, v in record.sort.items()]
    return (
        f'<!DOCTYPE html><html lang="{e(language)}"><head><meta charset="utf-8">'
        f"<title>{e(record.title)}</title></head><body><main data-pagefind-body>"
        f"<p>{e(record.content)}</p><div data-pagefind-ignore>{''.join(hidden)}</div>"
        "</main></body></html>\n"
    )


def index_records(records: list[Record], language: str, folder: Path, ui: bool = True) -> float:
    """Pagefind's bundle for `records`, written into `folder`; the seconds it took.
    Without `ui`, the index alone: a merged part needs none of the scripts, styles and
    WebAssembly that the primary bundle brings. Pagefind's command line reads a folder
    of pages at once; its Python API takes one record per tenth of a second (it polls
    for each answer), a quarter of an hour for 10,000 stories."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise _missing() from None
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise _missing()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gazette-search-pages-") as pages:
        for record in records or [_PLACEHOLDER]:  # Pagefind makes no index of nothing
            path = Path(pages, output_path(record.url))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(record_page(record, language), encoding="utf-8")
        command = [str(binary), "--site", pages, "--output-path", str(folder)]
        command += ["--force-language", language, "--silent"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        except (OSError, subprocess.SubprocessError) as exc:
            done = subprocess.CompletedProcess(command, 1, "", str(exc))
    if done.returncode != 0 or not (folder / "pagefind-entry.json").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise GazetteError(
            "the search indexer (Pagefind) failed" + (": " + " ".join(said) if said else ""),
            hint="output/ is as it was; set [search] enabled = false to build without search",
        )
    # A part that no story falls in is an index of no page, which merges as any other:
    # parts of a few stories (in tests) can be empty, parts of hundreds all but never.
    if not records and not make_empty(folder):
        shutil.rmtree(folder, ignore_errors=True)
        raise GazetteError(
            "the search indexer (Pagefind) wrote an index of a format Gazette does not know",
            hint="output/ is as it was; set [search] enabled = false to build without search",
        )
    make_reproducible(folder)
    if not ui:
        for path in folder.iterdir():
            if path.is_file() and path.name != "pagefind-entry.json" and path.suffix != ".pf_meta":
                path.unlink()
    return time.perf_counter() - started


_PLACEHOLDER = Record("placeholder/", "", "placeholder", {}, {}, {})


def _missing() -> GazetteError:
    return GazetteError(
        "search needs Pagefind, which is not installed",
        hint="pip install 'pagefind[bin]' (its binary comes in the wheel), "
        "or set [search] enabled = false in config.toml",
    )


def _tree(folder: Path) -> list[tuple[str, bytes]]:
    """Every file of the bundle in `folder`: its path in the folder, and its bytes."""
    return [
        (path.relative_to(folder).as_posix(), path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != SUMS
    ]


# Each file's SHA-256, kept beside a part's files: a rebuild compares the parts with
# what output/ holds without reading them (thousands of files at 10,000 stories).
SUMS = ".sums.json"


def read_bundle(folder: Path, at: str) -> list[OutputFile]:
    """The bundle in `folder` as files of output/'s folder `at`, read when written."""
    try:
        sums = json.loads((folder / SUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        sums = {name: hashlib.sha256(data).hexdigest() for name, data in _tree(folder)}
        (folder / SUMS).write_text(json.dumps(sums), encoding="utf-8")
    return [StoredFile(f"{at}/{name}", folder / name, sha, sha) for name, sha in sums.items()]


# The last few parts this process made, by what their records hold: builds of the
# same stories from another folder (a test suite's copies, `check` beside `build`)
# need not start Pagefind again. Bundles are pure functions of their records.
_RECENT: OrderedDict[str, list[tuple[str, bytes]]] = OrderedDict()
_RECENT_SIZE = 4


def _index_or_recall(records: list[Record], language: str, folder: Path, ui: bool) -> float | None:
    """`records` indexed into `folder`, or a bundle made of the same records copied
    there; the seconds Pagefind took (None for a copy)."""
    content = digest(repr(records), language, str(ui))
    known = _RECENT.get(content)
    if known is None:
        seconds = index_records(records, language, folder, ui)
        _RECENT[content] = _tree(folder)
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
        return seconds
    _RECENT.move_to_end(content)
    for path, data in known:
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return None


class SearchBundle:
    """The index of one site, its parts kept in `folder` (a cache's) by their keys."""

    def __init__(self, folder: Path | None) -> None:
        """`folder` None: one of its own, gone with it (a preview's index)."""
        if folder is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="gazette-search-")
            folder = Path(self._scratch.name)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.seconds = 0.0  # the last snapshot's indexing time (0: the kept parts served)
        self.indexed: list[int] = []  # the parts Pagefind made for the last snapshot
        self._files: dict[str, list[OutputFile]] = {}  # the last snapshot's parts, by key

    def files(
        self, keys: list[str], make: Callable[[int], list[Record]], language: str
    ) -> list[OutputFile]:
        """Every part's files, part n kept by `keys[n]`: those with a new key are made
        (`make(n)`: its records), one after another, the rest read from the cache."""
        self.seconds, self.indexed = 0.0, []
        parts = {key: self._files.get(key) or self._part(n, key, make, language)
                 for n, key in enumerate(keys)}  # fmt: skip
        for other in self.folder.iterdir():  # parts no longer in use
            if other.name not in parts:
                shutil.rmtree(other, ignore_errors=True)
        self._files = parts
        return [file for files in parts.values() for file in files]

    def site_files(
        self, site: Site, config: Config, texts: TextLoader, sources: dict[str, str], *salt: str
    ) -> list[OutputFile]:
        """The index of `site`'s stories in its parts (`sources`, `salt`: see part_keys)."""
        parts = story_parts(site.articles)
        keys = part_keys(site, parts, sources, *salt)
        make = functools.partial(make_records, site, texts, config)
        return self.files(keys, lambda n: make(parts[n]), language_of(config))

    def _part(
        self, number: int, key: str, make: Callable[[int], list[Record]], language: str
    ) -> list[OutputFile]:
        kept = self.folder / key
        if not kept.is_dir():
            fresh = self.folder / f"{key}.new"
            shutil.rmtree(fresh, ignore_errors=True)
            seconds = _index_or_recall(make(number), language, fresh, ui=number == 0)
            if seconds is not None:
                self.seconds += seconds
                self.indexed.append(number)
            fresh.rename(kept)
        return read_bundle(kept, part_folder(number))
