"""Encoded photos, kept between builds in the cache folder: one entry per photo and
settings (or per social card), named by their digest, so a rebuild encodes only
the photos that are new or changed.

An entry is a folder of files and its `entry.json`, made in a temporary folder
and renamed into place whole: a build stopped halfway, or a photo that fails,
leaves no entry at all rather than half of one.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

DESCRIPTION = "entry.json"


class ImageStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads((self.path(key) / DESCRIPTION).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, make: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
        """Make the entry with `make(folder)` (which writes the files and describes
        them) and move it into place; an exception leaves nothing behind."""
        self.folder.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".new-", dir=self.folder))
        try:
            description = make(scratch)
            (scratch / DESCRIPTION).write_text(json.dumps(description), encoding="utf-8")
            target = self.path(key)
            target.parent.mkdir(exist_ok=True)
            try:
                os.rename(scratch, target)
            except OSError:  # made meanwhile by another build: the same files
                shutil.rmtree(scratch, ignore_errors=True)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        return description

    def keep_only(self, keys: Iterable[str]) -> None:
        """Remove the entries not in `keys` (photos deleted, or settings changed)."""
        if not self.folder.is_dir():
            return
        wanted = set(keys)
        for group in self.folder.iterdir():
            if not group.is_dir():
                continue
            if group.name.startswith(".new-"):
                shutil.rmtree(group, ignore_errors=True)  # a build's, killed halfway
                continue
            for entry in group.iterdir():
                if entry.name not in wanted:
                    shutil.rmtree(entry, ignore_errors=True)
