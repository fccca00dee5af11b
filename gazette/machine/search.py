"""The search index: every story's text, indexed by Pagefind into `pagefind/`.

Records are made from the site model and the stories' HTML, not from rendered
pages, so the index holds the story text only (never navigation or listings)
and needs no page rendered again. Pagefind splits its index by language and a
search page searches its own language only, so the whole site goes into one
index in the site's language: a Bengali or Arabic story is still found, word
by word, from the same search box.

A bundle is kept by the digest of its records and used again while they are
the same, so a rebuild never indexes again; and `search_bundle` puts what
Pagefind writes in a hash map's order in one order, so the same records give
the same bytes in any build (Pagefind/pagefind#638).
"""

from __future__ import annotations

import html
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
from gazette.machine.search_bundle import make_reproducible
from gazette.model import Article, Site, output_path
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config
from gazette.stages.editions import language_name
from gazette.stages.markup import plain_text
from gazette.stages.render import gregorian

BUNDLE = "pagefind"  # the index's folder in output/, where the search page loads it from
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


def records_key(site: Site, sources: dict[str, str]) -> str:
    """What the records are made of, known without reading any text: each story's file
    and place, and the sections' names (`sources`: path -> the file's digest)."""
    names = section_names(site)
    rows = [
        (a.path, sources.get(a.path, ""), a.url, names.get((a.edition, a.section), ""))
        for a in site.articles
    ]
    return digest(repr(rows))


def make_records(site: Site, texts: TextLoader, config: Config) -> list[Record]:
    names = section_names(site)
    records = []
    for article in texts(site.articles):
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


def index_records(records: list[Record], language: str, folder: Path) -> float:
    """Pagefind's bundle for `records`, written into `folder`; the seconds it took.
    Pagefind's command line reads a folder of pages at once; its Python API takes one
    record per tenth of a second (it polls for each answer), a quarter of an hour for
    10,000 stories."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        raise _missing() from None
    binary = get_executable()
    if binary is None or not binary.is_file():
        raise _missing()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="gazette-search-pages-") as pages:
        for record in records:
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
    make_reproducible(folder)
    return time.perf_counter() - started


def _missing() -> GazetteError:
    return GazetteError(
        "search needs Pagefind, which is not installed",
        hint="pip install 'pagefind[bin]' (its binary comes in the wheel), "
        "or set [search] enabled = false in config.toml",
    )


def read_bundle(folder: Path) -> list[OutputFile]:
    return [
        OutputFile(f"{BUNDLE}/{path.relative_to(folder).as_posix()}", path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    ]


# The last few bundles this process made, by what their records hold: builds of the
# same stories from another folder (a test suite's copies, `check` beside `build`)
# need not start Pagefind again. Bundles are pure functions of their records.
_RECENT: OrderedDict[str, list[OutputFile]] = OrderedDict()
_RECENT_SIZE = 4


def _index_or_recall(records: list[Record], language: str, folder: Path) -> float:
    """`records` indexed into `folder`, or a bundle made of the same records copied
    there; the seconds Pagefind took (0 for a copy)."""
    content = digest(repr(records), language)
    known = _RECENT.get(content)
    if known is None:
        seconds = index_records(records, language, folder)
        _RECENT[content] = read_bundle(folder)
        while len(_RECENT) > _RECENT_SIZE:
            _RECENT.popitem(last=False)
        return seconds
    _RECENT.move_to_end(content)
    for file in known:
        target = folder / file.path.removeprefix(f"{BUNDLE}/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
    return 0.0


class SearchBundle:
    """The index of one site, kept in `folder` (a cache's) by its records' digest."""

    def __init__(self, folder: Path | None) -> None:
        """`folder` None: one of its own, gone with it (a preview's index)."""
        if folder is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="gazette-search-")
            folder = Path(self._scratch.name)
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.seconds = 0.0  # the last snapshot's indexing time (0: the kept bundle served)
        self._files: tuple[str, list[OutputFile]] | None = None

    def files(self, key: str, make: Callable[[], list[Record]], language: str) -> list[OutputFile]:
        self.seconds = 0.0
        if self._files is not None and self._files[0] == key:
            return self._files[1]
        kept = self.folder / key
        if not kept.is_dir():
            fresh = self.folder / f"{key}.new"
            shutil.rmtree(fresh, ignore_errors=True)
            self.seconds = _index_or_recall(make(), language, fresh)
            fresh.rename(kept)
        for other in self.folder.iterdir():  # older bundles: one is enough
            if other != kept:
                shutil.rmtree(other, ignore_errors=True)
        self._files = (key, read_bundle(kept))
        return self._files[1]
