"""The on-disk build cache: `.gazette-cache/` beside `output/`, never inside it.

It holds the incremental builder's state between runs of the command line, in
parts: parsed articles with their rendered Markdown (in shards, so an edit to
one article rewrites one small file), what each page was made from, and a
manifest of the published files. It is only trusted when its stamp matches
this exact Gazette (its code, and the Markdown, Pygments and Jinja versions)
and every part's checksum is right; otherwise it is discarded with a notice
and the build starts clean. Parts are written whole, then renamed, and the
stamp last, so a killed build leaves a cache that is either valid or ignored.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import IO, Any

import gazette
from gazette.digest import digest
from gazette.errors import GazetteError

FORMAT = 2
STAMP = "stamp.json"


def cache_root(output_dir: Path) -> Path:
    """`.gazette-cache/` beside the output folder: the cache, build lock and patch
    journal of each output folder there live in it."""
    return output_dir.absolute().parent / ".gazette-cache"


def cache_dir_for(output_dir: Path) -> Path:
    """`.gazette-cache/<output name>/` beside the output folder."""
    return cache_root(output_dir) / output_dir.absolute().name


def refuse_links(folder: Path) -> None:
    """Refuse a cache folder, its parent, or an entry of either (or of its `trees/` and
    `templates/`) that is a symlink: builds write into and delete from these, and must
    never do so somewhere else (`/etc`, run as root). What is missing is made."""
    folders = [folder.parent, folder, folder / "trees", folder / "templates"]
    for place in folders:
        entries = [place]
        if place.is_dir() and not place.is_symlink():
            entries += sorted(Path(entry.path) for entry in os.scandir(place))
        for entry in entries:
            if entry.is_symlink():
                raise GazetteError(
                    f"refusing to use the build cache: {entry} is a symlink "
                    f"(to {os.readlink(entry)})",
                    hint="builds write into and delete from their cache; remove the link "
                    "and build again (the cache is made anew)",
                )


RENDERING_LIBRARIES = (
    "markdown",
    "pygments",
    "jinja2",
    "pyyaml",
    "hijridate",
    "python-slugify",
    "babel",
)


def library_versions(packages: tuple[str, ...]) -> dict[str, str]:
    """Each package's installed version, from the name of its metadata folder on
    sys.path ("Markdown-3.7.dist-info"), found as importlib.metadata finds it: the
    first on the path wins. Reading the folders' names alone is ten times quicker
    than asking importlib.metadata, which each build would otherwise do."""
    wanted = {_normal(name): name for name in packages}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in names:
            stem, dot, kind = entry.rpartition(".")
            if dot and kind in ("dist-info", "egg-info") and "-" in stem:
                name, _, version = stem.partition("-")
                package = wanted.get(_normal(name))
                if package is not None and package not in found:
                    found[package] = version.split("-", 1)[0]
    return {name: found.get(name) or _version(name) for name in packages}


def _normal(name: str) -> str:
    return name.replace("-", "_").replace(".", "_").lower()


def _version(package: str) -> str:
    from importlib import metadata  # asked only when a package's folder was not found

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


@functools.cache
def code_version() -> str:
    """Changes with any edit to Gazette's own code or to the libraries that render."""
    digest = hashlib.sha256()
    package = Path(gazette.__file__).parent
    for path in sorted([*package.rglob("*.py"), *package.glob("theme/strings/*.toml")]):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for lib, version in library_versions(RENDERING_LIBRARIES).items():
        digest.update(f"{lib}={version};".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


class _HashingFile:
    """A writable file that hashes every byte written, to stamp the cache."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.blake2b(digest_size=32)

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


def _part_path(folder: Path, name: str) -> Path:
    return folder / f"{name}.pickle"


def load(folder: Path, notice: Any = None, *, discard: bool = True) -> dict[str, Any] | None:
    """The cached parts by name, or None (with a notice saying why) if they cannot all
    be trusted: a stamp for this exact code and a matching checksum for every part.
    `discard=False` leaves an untrusted cache where it is (for a reader that does not
    own it: the preview, while a build may be saving it)."""
    notice = notice or (lambda text: print(text, file=sys.stderr))
    stamp_path = folder / STAMP
    if not folder.is_dir() or not any(folder.glob("*.pickle")):
        return None
    why = None
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if not isinstance(stamp, dict) or stamp.get("format") != FORMAT:
            why = "it was made by another version of Gazette"
        elif stamp.get("code") != code_version():
            why = "it was made by another version of Gazette or its libraries"
        else:
            parts: dict[str, Any] = {}
            for name, digest in stamp["parts"].items():
                data = _part_path(folder, name).read_bytes()
                if hashlib.blake2b(data, digest_size=32).hexdigest() != digest:
                    why = f"it is corrupt (checksum mismatch in {name})"
                    break
                parts[name] = pickle.loads(data)  # the checksum above vouches for it
            else:
                return parts
    except FileNotFoundError:
        why = "it is incomplete (a build was cut short while saving it)"
    except (OSError, ValueError, KeyError, EOFError, pickle.UnpicklingError):
        why = "it is unreadable or corrupt"
    except Exception:  # noqa: BLE001 - any failure to unpickle means "do not trust it"
        why = "it is unreadable or corrupt"
    if not discard:
        return None
    notice(f"notice: ignoring the build cache in {folder} because {why}; rebuilding it")
    _discard(folder)
    return None


def save(folder: Path, parts: dict[str, Any], changed: set[str] | None = None) -> None:
    """Store `parts` (name -> picklable); with `changed`, rewrite only those parts and
    keep the others as they are on disk. The stamp is removed first and written last,
    so a build killed meanwhile (or a disk that fills up) leaves a cache that the next
    build discards."""
    try:
        _save(folder, parts, changed)
    except OSError as exc:
        for leftover in folder.glob("*.tmp"):
            leftover.unlink(missing_ok=True)
        raise cache_error(folder, exc) from None


def cache_error(folder: Path, exc: BaseException) -> GazetteError:
    """The cache could not be written: the next build starts without it."""
    reason = getattr(exc, "strerror", None) or str(exc)
    try:  # SQLite calls a full disk "disk I/O error"
        free = shutil.disk_usage(folder if folder.exists() else folder.parent).free
    except OSError:
        free = None
    if free is not None and free < 1_000_000 and "No space" not in reason:
        reason = f"No space left on device ({reason})"
    return GazetteError(
        f"cannot save the build cache in {folder}: {reason}",
        hint="free some space on that disk (or fix its permissions); the next build "
        "starts without a cache",
    )


def _save(folder: Path, parts: dict[str, Any], changed: set[str] | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    digests: dict[str, str] = {}
    if changed is not None:
        try:
            stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
            if stamp.get("code") == code_version():
                digests = {k: v for k, v in stamp["parts"].items() if k in parts}
        except (OSError, ValueError, KeyError, AttributeError):
            digests = {}
    (folder / STAMP).unlink(missing_ok=True)
    for name, value in parts.items():
        if changed is not None and name not in changed and name in digests:
            continue
        tmp = folder / f"{name}.tmp"
        with tmp.open("wb") as raw:
            hashing = _HashingFile(raw)
            pickle.dump(value, hashing, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, _part_path(folder, name))
        digests[name] = hashing.digest.hexdigest()
    for path in folder.glob("*.pickle"):
        if path.stem not in parts:
            path.unlink(missing_ok=True)
    stamp_tmp = folder / (STAMP + ".tmp")
    stamp_tmp.write_text(
        json.dumps({"format": FORMAT, "code": code_version(), "parts": digests}), encoding="utf-8"
    )
    os.replace(stamp_tmp, folder / STAMP)


# Jinja's compiled templates (the engine's bytecode cache). Jinja knows them by their
# source alone, not by the filters Gazette gives them, so they go with the rest.
TEMPLATES = "templates"


def _discard(folder: Path) -> None:
    (folder / STAMP).unlink(missing_ok=True)
    TextStore(folder / TEXTS).clear()
    for pattern in ("*.pickle", "*.tmp", f"{TEMPLATES}/*"):
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)


TEXTS = "texts.sqlite"


class TextStore:
    """Rendered article bodies (HTML and table of contents) by Markdown key, on disk.

    A big site's HTML is far larger than the rest of its model, so the build keeps
    it here rather than in memory: workers write what they convert and read what
    they render, and the main process reads only what feeds need. Each row carries
    a checksum; a row that fails it is treated as missing (converted again), never
    served. A process that forks opens its own connection, as SQLite requires."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                connection = self._open()
            except sqlite3.OperationalError:  # a full disk, no permission: not its fault
                raise
            except sqlite3.DatabaseError:  # not a database (any more): start a new one
                self.clear()
                connection = self._open()
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _open(self) -> sqlite3.Connection:
        # the preview reads it from its server threads, one at a time (its lock)
        connection = sqlite3.connect(
            self.path, timeout=60, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS texts"
                " (key TEXT PRIMARY KEY, html TEXT, toc TEXT, checksum TEXT)"
            )
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    @staticmethod
    def _checksum(key: str, html: str, toc: str) -> str:
        return digest(key, html, toc)

    def get(self, key: str) -> tuple[str, str] | None:
        return self.get_many([key]).get(key)

    def get_many(self, keys: list[str]) -> dict[str, tuple[str, str]]:
        """(html, toc) of each key found whole: one query per few hundred keys."""
        found: dict[str, tuple[str, str]] = {}
        try:
            db = self._db()
            for start in range(0, len(keys), 500):
                batch = keys[start : start + 500]
                marks = ",".join("?" * len(batch))
                query = f"SELECT key, html, toc, checksum FROM texts WHERE key IN ({marks})"
                for key, html, toc, checksum in db.execute(query, batch):
                    if self._checksum(key, html, toc) == checksum:
                        found[key] = (html, toc)
        except sqlite3.DatabaseError:
            pass  # what was not read is converted again
        return found

    def empty(self) -> bool:
        try:
            return self._db().execute("SELECT 1 FROM texts LIMIT 1").fetchone() is None
        except sqlite3.DatabaseError:
            return True

    def put(self, rows: list[tuple[str, str, str]]) -> None:
        """Store (key, html, toc) rows, in one transaction."""
        if not rows:
            return
        try:
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT OR REPLACE INTO texts VALUES (?, ?, ?, ?)",
                    [(k, h, t, self._checksum(k, h, t)) for k, h, t in rows],
                )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # a full disk may have ended it already
                    db.execute("ROLLBACK")
                raise
        except sqlite3.OperationalError as exc:  # "database or disk is full"
            raise cache_error(self.path.parent, exc) from None

    def keep_only(self, keys: set[str]) -> None:
        """Forget texts no current article uses, so the store does not grow forever."""
        try:
            db = self._db()
            unused = [(k,) for (k,) in db.execute("SELECT key FROM texts") if k not in keys]
            if unused:
                db.executemany("DELETE FROM texts WHERE key = ?", unused)
        except sqlite3.OperationalError as exc:
            raise cache_error(self.path.parent, exc) from None

    def clear(self) -> None:
        self.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def close(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
