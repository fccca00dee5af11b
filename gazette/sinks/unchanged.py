"""Knowing that nothing changed without loading the engine, the cache or output/'s survey.

Most builds of a big site change nothing: cron runs, CI re-runs, a writer pressing
build twice. Finding that out the ordinary way means importing the whole engine,
loading the cache (the state of every article) and surveying output/. So a build
that completes leaves a note beside the cache: how every file it could have read
looked before it read them (config, content, templates, static files, data,
Gazette's own code and the folders its libraries live in: size, time and inode,
and each folder's time, which moves when a file is added or removed in it), how
every file it published looks as written, and the next time the clock alone would
change the site (a scheduled story, an expiry, a live badge ending). The next build
looks at the same files: when all are as noted and that time has not come, output/
is already what a build would make, and there is nothing to do.

A slow build uses the look too: output/ found as noted need not be surveyed again.
The note is removed before a build changes anything and written after it completes,
so a failed or killed build never leaves one that vouches for output/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import marshal
import os
import stat
import sys
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import gazette
from gazette.engine.workers import Ahead

if TYPE_CHECKING:  # the quick look runs before the config reader is even imported
    from gazette.sinks.output_files import Published
    from gazette.stages.config import Config

NOTE = "unchanged.note"
FORMAT = 3
Sig = tuple[int, int, int]  # size (-1 for a folder), modification time in ns, inode


@dataclass(frozen=True)
class Watch:
    """What a build could read: folders walked whole, and single files (which may be
    absent: an icon that appears beside config.toml changes the site)."""

    trees: tuple[str, ...]
    files: tuple[str, ...]


@dataclass
class Note:
    key: str  # the command's options and environment, and this note's format
    watch: Watch
    inputs: dict[str, Sig | None]  # every file and folder watched, as it was
    published: list[str]  # output/'s files, relative to it
    stats: list[Sig]  # each one as written
    since: float  # the build's clock (Unix time)...
    due: float | None  # ...and the next time the clock alone changes the site
    counts: tuple[int, int, int]  # articles, pages and files of that build
    cache: dict[str, Sig | None]  # the cache's parts as saved with the note


@dataclass
class Look:
    """One look at the files a note names, taken before a build reads any of them."""

    watch: Watch
    inputs: dict[str, Sig | None] | None  # None: a walk met a loop (the build says so)
    output_intact: bool  # output/ holds exactly the files noted, as written
    cache: dict[str, Sig | None]  # the cache's parts (a cache made anew voids the note)
    note: Note | None  # the note it was taken against


def watch_for(trees: list[Path], files: list[Path]) -> Watch:
    """The site's folders and files, Gazette's own code, and the folders libraries are
    installed in (installing or upgrading one there changes the folder's time). Not
    the site folder itself: output/ is swapped in it on every build."""
    folders = [*(str(p.absolute()) for p in trees), CODE]
    named = [str(p.absolute()) for p in files]
    named += [p for p in sys.path if p.endswith(("site-packages", "dist-packages", ".zip"))]
    return Watch(tuple(dict.fromkeys(folders)), tuple(dict.fromkeys(named)))


def watch_of(config: Config) -> Watch:
    """What a build of this site could read: its folders, the files beside config.toml
    an icon may be made from, and config.toml."""
    root = config.root
    trees = [config.content_dir, config.templates_dir, config.static_dir, root / "data"]
    named = [config.images.icon, config.publisher.logo]
    icons = [root / name.lstrip("/") for name in named if name and "://" not in name]
    assert config.path is not None  # a config not read from a file has no note
    return watch_for(trees, [config.path, *icons])


def note_of(
    key: str,
    seen: Look,
    manifest: Mapping[str, Published],
    counts: tuple[int, int, int],
    clock_seen: tuple[dt.datetime, dt.datetime | None],
    cache_dir: Path,
) -> Note:
    """The note a completed build leaves: the look taken before it read anything (a file
    saved meanwhile differs from it, so the next build looks at it), its output as
    written, its clock, and the cache as just saved."""
    assert seen.inputs is not None
    stats = [(e.size, e.mtime_ns, e.inode) for e in manifest.values()]
    now, due = clock_seen
    after = None if due is None else clock(due)
    published, cache = list(manifest), cache_parts(cache_dir)
    return Note(key, seen.watch, seen.inputs, published, stats, clock(now), after, counts, cache)


def keep(cache_dir: Path, note: Note, notice: Callable[[str], None]) -> None:
    try:
        save(cache_dir, note)
    except OSError as exc:  # a full disk: the next build looks the slow way
        notice(f"warning: cannot save {NOTE}: {exc.strerror}")


def key_of(output_dir: Path, include_drafts: bool) -> str:
    """What besides the files decides the output: options and the environment."""
    parts = [str(FORMAT), str(output_dir.absolute()), str(include_drafts)]
    parts += [os.environ.get("SOURCE_DATE_EPOCH", ""), sys.version, sys.executable]
    return hashlib.blake2b("\0".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def look(watch: Watch, output_dir: Path, note: Note | None, cache_dir: Path) -> Look:
    """One stat of each file. The files the last build wrote are looked at meanwhile in
    forked processes, one a core, each giving only its answer back: threads would take
    turns at the interpreter lock for every call, and were slower than one alone."""
    checks = []
    if note is not None and len(note.published) == len(note.stats):
        parts = min(os.cpu_count() or 1, 4)
        checks = [Ahead(_as_written, output_dir, note, part, parts) for part in range(parts)]
    inputs: dict[str, Sig | None] | None = {}
    for tree in watch.trees:
        if inputs is not None and not _walk(tree, inputs):
            inputs = None
    if inputs is not None:
        for path in watch.files:
            inputs[path] = _sig(path)
    intact = bool(checks) and all([check.wait() for check in checks])  # each one reaped
    return Look(watch, inputs, intact, cache_parts(cache_dir), note)


def cache_parts(cache_dir: Path) -> dict[str, Sig | None]:
    """The cache's stamp and parts: a note goes with the cache saved beside it."""
    try:
        with os.scandir(cache_dir) as entries:
            names = [e.path for e in entries if e.name.endswith((".pickle", ".json"))]
    except OSError:
        return {}
    return {path: _sig(path) for path in sorted(names)}


def nothing_to_do(note: Note | None, seen: Look, key: str, now: float) -> bool:
    """True when output/ is what a build would make now."""
    return (
        note is not None
        and note.key == key
        and seen.output_intact
        and seen.inputs is not None
        and seen.watch == note.watch
        and seen.inputs == note.inputs
        and seen.cache == note.cache
        and note.since <= now
        and (note.due is None or now < note.due)
    )


def changed_files(seen: Look) -> set[Path] | None:
    """The files added, edited or removed since the note (a folder's time moving says
    no more than the files in it do); None without a note to compare with."""
    note = seen.note
    if note is None or seen.inputs is None or seen.watch != note.watch:
        return None
    before, now = note.inputs, seen.inputs
    paths = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
    return {Path(p) for p in paths if not _is_folder(before.get(p)) or not _is_folder(now.get(p))}


def _is_folder(sig: Sig | None) -> bool:
    return sig is not None and sig[0] == -1


def clock(now: dt.datetime | None) -> float:
    """The build's clock as Unix time: given, or SOURCE_DATE_EPOCH's, or the machine's."""
    if now is not None:
        return now.timestamp()
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return float(epoch) if epoch.strip().isdigit() else time.time()


def _sig(path: str) -> Sig | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (-1 if stat.S_ISDIR(st.st_mode) else st.st_size, st.st_mtime_ns, st.st_ino)


# Gazette's own code: its folders' times are not watched, as importing it writes
# compiled files into new `__pycache__` folders beside the modules (its files are).
CODE = str(Path(gazette.__file__).parent.absolute())


def _walk(root: str, into: dict[str, Sig | None]) -> bool:
    """Every folder and file below `root`, following symlinks as the build does; False
    on a loop (the build reports it). Compiled Python is skipped: importing writes it.
    Each file is looked up by its name from its folder's descriptor, which the kernel
    resolves a quarter quicker than its whole path."""
    times = root != CODE
    stack: list[tuple[str, frozenset[tuple[int, int]]]] = [(root, frozenset())]
    while stack:
        folder, above = stack.pop()
        try:
            st = os.stat(folder)
            descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            into[folder] = None
            continue
        try:
            place = (st.st_dev, st.st_ino)
            if place in above:
                return False
            into[folder] = (-1, st.st_mtime_ns if times else 0, st.st_ino)
            _list(descriptor, os.path.join(folder, ""), above | {place}, stack, into)
        except OSError:
            into[folder] = None
        finally:
            os.close(descriptor)
    return True


def _list(
    descriptor: int,
    prefix: str,
    inside: frozenset[tuple[int, int]],
    stack: list[tuple[str, frozenset[tuple[int, int]]]],
    into: dict[str, Sig | None],
) -> None:
    """One folder's entries: its files noted, its folders put on the stack."""
    with os.scandir(descriptor) as entries:
        for entry in entries:
            name = entry.name
            if name == "__pycache__":
                continue
            try:
                if entry.is_dir():
                    stack.append((prefix + name, inside))
                    continue
                found = os.stat(name, dir_fd=descriptor)
            except OSError:
                into[prefix + name] = None
                continue
            into[prefix + name] = (found.st_size, found.st_mtime_ns, found.st_ino)


def _as_written(output_dir: Path, note: Note, part: int, parts: int) -> bool:
    """Whether every `parts`th file from the `part`th is as the note says. Paths are
    looked up from output/'s own descriptor, not from the root each time."""
    try:
        folder = os.open(output_dir, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        shares = (note.published[part::parts], note.stats[part::parts])
        for relative, noted in zip(*shares, strict=True):
            st = os.stat(relative, dir_fd=folder)
            if (st.st_size, st.st_mtime_ns, st.st_ino) != noted:
                return False
    except (OSError, ValueError):
        return False
    finally:
        os.close(folder)
    return True


def load(cache_dir: Path | None) -> Note | None:
    """The note, if there is a whole one."""
    if cache_dir is None:
        return None
    try:
        data = (cache_dir / NOTE).read_bytes()
        check, body = data[:4], memoryview(data)[4:]
        if zlib.crc32(body).to_bytes(4, "big") != check:  # torn or damaged
            return None
        key, trees, files, inputs, published, stats, since, due, counts, cache = marshal.loads(body)
        watch = Watch(trees, files)
        return Note(key, watch, inputs, published, stats, since, due, counts, cache)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def save(cache_dir: Path, note: Note) -> None:
    fields = (note.key, note.watch.trees, note.watch.files, note.inputs, note.published)
    fields += (note.stats, note.since, note.due, note.counts, note.cache)
    body = marshal.dumps(fields)
    tmp = cache_dir / (NOTE + ".tmp")
    tmp.write_bytes(zlib.crc32(body).to_bytes(4, "big") + body)
    os.replace(tmp, cache_dir / NOTE)


def drop(cache_dir: Path | None) -> None:
    """Before a build changes anything. A note that cannot be removed (a read-only
    cache) is still safe: it vouches only for the files exactly as it saw them."""
    if cache_dir is not None:
        with contextlib.suppress(OSError):
            (cache_dir / NOTE).unlink(missing_ok=True)
