"""What the engine remembers between builds, and how it is cut into cache parts.

The sources (each file's stat, digest and article without its text) are the
engine's; a `View` is one sink's: the digests of the pages it last took, so
that the next snapshot can say which pages changed for it. The disk sink keeps
its view, with what it knows of `output/`, in `State.disk`, so it lasts from one
command-line run to the next; the memory sink's lives as long as the preview.
"""

from __future__ import annotations

import dataclasses
import functools
import zlib
from dataclasses import dataclass, field
from typing import Any

from gazette.model import Article

SHARDS = 64  # the disk cache keeps sources in this many files


@dataclass
class Source:
    stat: tuple[int, int, int]  # size, mtime_ns, inode
    digest: str  # of the file's bytes
    article: Article  # without body, html and toc (see sources.lean)
    text: str  # key of its HTML in the TextStore
    shape: str = ""  # its article's place in the site, as its file gives it (plan.article_shape)

    def __reduce__(self) -> tuple[type[Source], tuple[Any, ...]]:
        # its values in order, as Article's: no dict of names for each of thousands
        return Source, (self.stat, self.digest, self.article, self.text, self.shape)


@dataclass
class View:
    """One sink's last snapshot of the site: what the next one is compared with."""

    pages: dict[str, str] = field(default_factory=dict)  # output path -> inputs digest
    # When an edit leaves the site's shape as it was (same pages, templates, masthead),
    # only the pages that show an edited article can change: `referrers` lists them.
    shape: str = ""  # digest of settings, shared context, templates and the structure
    referrers: dict[str, list[int]] = field(default_factory=dict)  # article -> page indices
    pending: set[str] = field(default_factory=set)  # articles edited since the snapshot


@dataclass
class State:
    """Everything the engine remembers between builds; pickled into the cache."""

    settings: str = ""  # digest of the config and Gazette's code: all else is void if it changes
    sources: dict[str, Source] = field(default_factory=dict)  # by path relative to content/
    templates: tuple[str, dict[str, str]] = ("", {})  # all template files' digest, closures
    related: tuple[str, list[list[int]]] = ("", [])  # see plan.kept_related
    laid_out: str = ""  # the shape and files last found free of collisions (see snapshot)
    disk: Any = None  # the disk sink's own record (gazette.sinks.disk_record.DiskRecord)
    photos: Any = None  # photos' digests and entries in use (gazette.images.photos.PhotoMemo)
    # the photos each article's pages show, by their sizes: part of the article's identity
    picture_keys: dict[str, str] = field(default_factory=dict)
    body_images: dict[str, tuple[str, ...]] = field(default_factory=dict)  # in its text
    code_css: str = ""  # Pygments' stylesheet for highlighted code: made once, it is slow to load


@functools.cache  # asked for every source at every save
def shard(relative: str) -> str:
    # CRC-32 spreads paths as evenly as a cryptographic digest, at a tenth of the cost
    return f"sources-{zlib.crc32(relative.encode()) % SHARDS:02d}"


def freeze(state: State, touched: set[str] | None) -> tuple[dict[str, Any], set[str] | None]:
    """The state as cache parts: sources in shards (an edit rewrites one), the rest whole;
    and the parts that changed when only the `touched` sources did (None: all)."""
    shards: dict[str, dict[str, Source]] = {f"sources-{n:02d}": {} for n in range(SHARDS)}
    for relative, source in state.sources.items():
        shards[shard(relative)][relative] = source
    rest = dataclasses.replace(state, sources={})
    changed = None if touched is None else {"state"} | {shard(r) for r in touched}
    return {"state": rest, **shards}, changed


def thaw(parts: dict[str, Any]) -> State:
    """`freeze` undone; anything unexpected gives a fresh state."""
    state = parts.get("state")
    if not isinstance(state, State):
        return State()
    for name, part in parts.items():
        if name.startswith("sources-") and isinstance(part, dict):
            state.sources.update(part)
    return state
