"""The on-disk build cache: `.gazette-cache/` beside `output/`, never inside it.

It holds the incremental builder's state between runs of the command line:
parsed articles with their rendered Markdown, what each page was made from,
and a manifest of the published files. It is only trusted when its stamp
matches this exact Gazette (its code, and the Markdown, Pygments and Jinja
versions) and the payload's checksum is right; otherwise it is discarded with
a notice and the build starts clean. It is written whole, then renamed, so a
killed build leaves the previous cache or none, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import gazette

FORMAT = 1
STATE = "state.pickle"
STAMP = "stamp.json"


def cache_dir_for(output_dir: Path) -> Path:
    """`.gazette-cache/<output name>/` beside the output folder."""
    output_dir = output_dir.absolute()
    return output_dir.parent / ".gazette-cache" / output_dir.name


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def code_version() -> str:
    """Changes with any edit to Gazette's own code or to the libraries that render."""
    digest = hashlib.sha256()
    package = Path(gazette.__file__).parent
    for path in sorted(package.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for lib in ("markdown", "pygments", "jinja2", "pyyaml", "hijridate", "python-slugify"):
        digest.update(f"{lib}={_version(lib)};".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


class _HashingFile:
    """A writable file that hashes every byte written, to stamp the cache."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.file.write(data)


def load(folder: Path, notice: Any = None) -> dict[str, Any] | None:
    """The cached state, or None (with a notice saying why) if it cannot be trusted."""
    notice = notice or (lambda text: print(text, file=sys.stderr))
    stamp_path, state_path = folder / STAMP, folder / STATE
    if not stamp_path.exists() and not state_path.exists():
        return None
    why = None
    try:
        stamp = json.loads(stamp_path.read_text(encoding="utf-8"))
        if not isinstance(stamp, dict) or stamp.get("format") != FORMAT:
            why = "it was made by another version of Gazette"
        elif stamp.get("code") != code_version():
            why = "it was made by another version of Gazette or its libraries"
        else:
            with state_path.open("rb") as file:
                checksum = hashlib.file_digest(file, "sha256").hexdigest()
                if checksum != stamp.get("sha256"):
                    why = "it is corrupt (checksum mismatch)"
                else:
                    file.seek(0)
                    state = pickle.load(file)  # the checksum above vouches for it
                    if isinstance(state, dict):
                        return state
                    why = "it is not a Gazette cache"
    except (OSError, ValueError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
        why = "it is unreadable or corrupt"
    except Exception:  # noqa: BLE001 - any failure to unpickle means "do not trust it"
        why = "it is unreadable or corrupt"
    notice(f"notice: ignoring the build cache in {folder} because {why}; rebuilding it")
    discard(folder)
    return None


def save(folder: Path, state: dict[str, Any]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (STATE + ".tmp")
    with tmp.open("wb") as raw:
        hashing = _HashingFile(raw)
        pickle.dump(state, hashing, protocol=pickle.HIGHEST_PROTOCOL)
    stamp = {"format": FORMAT, "code": code_version(), "sha256": hashing.digest.hexdigest()}
    # Stamp removed first and written last: a crash in between leaves no valid pair.
    (folder / STAMP).unlink(missing_ok=True)
    os.replace(tmp, folder / STATE)
    stamp_tmp = folder / (STAMP + ".tmp")
    stamp_tmp.write_text(json.dumps(stamp), encoding="utf-8")
    os.replace(stamp_tmp, folder / STAMP)


def discard(folder: Path) -> None:
    for name in (STATE, STAMP, STATE + ".tmp", STAMP + ".tmp"):
        (folder / name).unlink(missing_ok=True)
