"""Pagefind's bundle made the same for the same stories, byte for byte.

Pagefind writes each filter's values in the order of a hash map, which differs
from run to run (Pagefind/pagefind#638), and names each file by its bytes: the
filter files, the metadata file that lists them and the entry file that names
that one all come out different for the same index. Gazette promises the same
output for the same input, so the filter values are put in order here, and the
files renamed by their bytes. The files are gzip-compressed CBOR, behind
Pagefind's signature; only arrays, strings and whole numbers occur in them. If
a future Pagefind writes anything else, the bundle is left as Pagefind made it:
it still works, only not reproducibly.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class _Unknown(Exception):
    """A file this reading of Pagefind's format does not cover."""


def _decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    head = data[at]
    major, info = head >> 5, head & 0x1F
    at += 1
    if info < 24:
        value = info
    elif info <= 27:
        size = 1 << (info - 24)
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise _Unknown(f"CBOR length form {info}")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major == 3:
        return data[at : at + value].decode("utf-8"), at + value
    if major == 2:
        return data[at : at + value], at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise _Unknown(f"CBOR major type {major}")


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise _Unknown("a number too big for CBOR")


def _encode(value: Any) -> bytes:
    if isinstance(value, bool):
        raise _Unknown("a CBOR simple value")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(map(_encode, value))
    raise _Unknown(type(value).__name__)


def _read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise _Unknown(f"{path.name} has no Pagefind signature")
    value, end = _decode(data, len(SIGNATURE))
    if end != len(data):
        raise _Unknown(f"{path.name} has more than one value")
    return value


def _file(value: Any, prefix: str, digits: int) -> tuple[str, bytes]:
    """A file's name (made of its bytes, as Pagefind's are) and bytes."""
    data = gzip.compress(SIGNATURE + _encode(value), mtime=0)
    return f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}", data


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_renamed(item, names) for item in value]
    return value


def _pairs_in_order(value: Any, names: set[str]) -> Any:
    """Each list of [filter name, its file] pairs, by filter name (a hash map's order)."""
    if not isinstance(value, list):
        return value
    value = [_pairs_in_order(item, names) for item in value]
    pairs = [
        v for v in value if isinstance(v, list) and len(v) == 2 and isinstance(v[1], str)
        and v[1] in names
    ]  # fmt: skip
    if value and len(pairs) == len(value):
        value.sort(key=lambda pair: str(pair[0]))
    return value


def make_reproducible(bundle: Path) -> bool:
    """Put the bundle in `bundle` in its one order; False when its format is unknown
    (nothing is changed then: every file is read and made before any is written)."""
    entry_path = bundle / "pagefind-entry.json"
    writes: dict[Path, bytes] = {}
    gone: set[Path] = set()
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for language, info in sorted(entry["languages"].items()):
            names: dict[str, str] = {}
            for path in sorted((bundle / "filter").glob(f"{language}_*.pf_filter")):
                value = _read(path)
                if not (isinstance(value, list) and len(value) == 2):
                    raise _Unknown("a filter file that is not [name, values]")
                value[1].sort(key=lambda item: str(item[0]))
                name, data = _file(value, f"{language}_", 7)
                names[path.name.removesuffix(".pf_filter")] = name
                gone.add(path)
                writes[bundle / "filter" / f"{name}.pf_filter"] = data
            meta = bundle / f"pagefind.{info['hash']}.pf_meta"
            value = _pairs_in_order(_renamed(_read(meta), names), set(names.values()))
            name, data = _file(value, f"{language}_", 10)
            gone.add(meta)
            writes[bundle / f"pagefind.{name}.pf_meta"] = data
            info["hash"] = name
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, _Unknown):
        return False
    for path in gone - writes.keys():
        path.unlink()
    for path, data in writes.items():
        path.write_bytes(data)
    entry["languages"] = dict(sorted(entry["languages"].items()))
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    entry_path.write_text(text, encoding="utf-8")
    return True


def make_empty(bundle: Path) -> bool:
    """Make the bundle in `bundle` (of one page) an index of no page: its metadata keeps
    Pagefind's version and loses its lists (pages, words, filters, sorts); its scripts
    stay. False when its format is unknown (nothing is changed then)."""
    entry_path = bundle / "pagefind-entry.json"
    writes: dict[Path, bytes] = {}
    gone: list[Path] = []
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for language, info in entry["languages"].items():
            meta = bundle / f"pagefind.{info['hash']}.pf_meta"
            version, *lists = _read(meta)
            value = [version, *([] if isinstance(item, list) else item for item in lists)]
            name, data = _file(value, f"{language}_", 10)
            gone.append(meta)
            writes[bundle / f"pagefind.{name}.pf_meta"] = data
            info["hash"], info["page_count"] = name, 0
    except (OSError, ValueError, KeyError, IndexError, TypeError, EOFError, _Unknown):
        return False
    for path in gone:
        path.unlink()
    for path, data in writes.items():
        path.write_bytes(data)
    for folder in ("fragment", "index", "filter"):
        shutil.rmtree(bundle / folder, ignore_errors=True)
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    entry_path.write_text(text, encoding="utf-8")
    return True
