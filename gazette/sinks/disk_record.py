"""What the disk sink knows of `output/` between builds: the view of its last snapshot,
the manifest of the files it published, and what it kept of the machine files.
It lives in the engine's state (`State.disk`), so it is saved with the cache."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gazette.engine.state import View
from gazette.sinks.output_dir import Spare
from gazette.sinks.output_files import Manifest, Published


@dataclass
class DiskRecord:
    """What the disk sink knows of `output/`, kept in the cache with the engine's state."""

    view: View = field(default_factory=View)
    manifest: Manifest = field(default_factory=dict)
    spare: Spare | None = None  # the replaced version of output/, kept in the cache folder
    inputs: str = ""  # the inputs digest of the last complete build
    page_count: int = 0
    sitemaps: list[str] = field(default_factory=list)  # the sitemap files last written
    feeds: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (key, digest)
    folders: dict[int, int] = field(default_factory=dict)  # output/'s folders: see survey()

    def __getstate__(self) -> dict[str, Any]:
        # manifest entries as plain tuples: pickle writes those several times faster
        state = dict(self.__dict__)
        state["manifest"] = {path: tuple(entry) for path, entry in self.manifest.items()}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        manifest = state.get("manifest", {})
        state["manifest"] = {path: Published(*entry) for path, entry in manifest.items()}
        self.__dict__.update(state)
