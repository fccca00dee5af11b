"""What a build reports: counts, times, and the paths it changed."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gazette.sinks.output_files import WriteReport

if TYPE_CHECKING:  # the command line reports a build with nothing to do without them
    from gazette.engine.snapshot import Inputs
    from gazette.machine.search import SearchBundle


@dataclass(frozen=True)
class BuildResult:
    articles: int
    pages: int
    report: WriteReport
    seconds: float
    rendered: int = 0  # pages rendered this time (the rest were carried over)
    changed: tuple[str, ...] = ()  # output paths written or removed, e.g. "world/x/index.html"
    search_seconds: float = 0.0  # the time indexing took (0: no search, or the index kept)

    def summary(self) -> str:
        r = self.report
        search = f" (search index {self.search_seconds:.2f} s)" if self.search_seconds else ""
        return (
            f"Built {self.articles} articles into {self.pages} pages: "
            f"{r.written} written, {r.unchanged} unchanged, {r.removed} removed "
            f"in {self.seconds:.2f} s{search}"
        )


def result(
    inputs: Inputs,
    pages: int,
    report: WriteReport,
    rendered: int,
    changed: tuple[str, ...],
    started: float,
    search: SearchBundle | None = None,
) -> BuildResult:
    seconds = time.perf_counter() - started
    result = BuildResult(len(inputs.articles), pages, report, seconds, rendered, changed)
    return dataclasses.replace(result, search_seconds=search.seconds) if search else result


def noop_result(counts: tuple[int, int, int], started: float) -> BuildResult:
    """A build that found nothing to do: (articles, pages, files) as the last one left."""
    articles, pages, files = counts
    report = WriteReport(0, files, 0)
    return BuildResult(articles, pages, report, time.perf_counter() - started)
