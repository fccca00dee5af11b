#!/usr/bin/env python3
"""The benchmark's Hugo site: Gazette's corpus copied for Hugo, built and counted.

Issue 18 asks for Gazette's cold build to be timed beside Hugo's in the same
run, on the same corpus. The Hugo copy is written from the Gazette site's files
on disk (not generated again), so both build the same Markdown bodies: only the
front matter is rewritten into what Hugo reads (RFC 3339 dates in the site's
timezone, `tags`, `authors`, the archive's year and month as taxonomies, the
slug Gazette gives the headline, so the article URLs match). The layout is
`bench/hugo/` (its README says what it builds and what differs from Gazette).

    python bench/hugo_site.py GAZETTE_SITE HUGO_SITE [--build OUT]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
LAYOUT = Path(__file__).resolve().parent / "hugo"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from gazette.slugs import make_slug  # noqa: E402
from gazette.stages.frontmatter import read_front_matter, read_source  # noqa: E402

Row = tuple[str, str, str]


class Timing(NamedTuple):
    seconds: float
    cpu: float  # user and system time: steadier than seconds on a shared machine


def hugo_path() -> str | None:
    """The `hugo` command, or None: the comparison is skipped where Hugo is missing."""
    return shutil.which("hugo")


def _date(value: object, zone: ZoneInfo) -> dt.datetime:
    """Gazette's `date:` (text like "2024-06-30 02:21", or what YAML made of it) as
    an aware datetime in the site's timezone, as Gazette reads it."""
    if isinstance(value, dt.datetime):
        date = value
    elif isinstance(value, dt.date):
        date = dt.datetime(value.year, value.month, value.day)
    else:
        date = dt.datetime.fromisoformat(str(value).strip())
    return date if date.tzinfo else date.replace(tzinfo=zone)


def hugo_front_matter(meta: dict[str, object], zone: ZoneInfo) -> str:
    """The same story's front matter as Hugo reads it (YAML; every value JSON, which
    YAML reads as written, so no headline can be misread)."""
    date = _date(meta["date"], zone)
    authors = meta.get("authors") or meta.get("author") or []
    fields: dict[str, object] = {
        "title": str(meta["title"]),
        "date": date.isoformat(),  # RFC 3339
        "slug": make_slug(str(meta["title"])),
        "tags": [str(t) for t in meta.get("tags") or []],  # type: ignore[attr-defined]
        "authors": [authors] if isinstance(authors, str) else list(authors),  # type: ignore[call-overload]
        "years": [f"{date:%Y}"],
        "months": [f"{date:%B %Y}"],
    }
    for key in ("summary", "source", "dateline", "weather"):
        if meta.get(key) is not None:
            fields[key] = meta[key]
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


def write_site(gazette_site: Path, dest: Path) -> Path:
    """Write the Hugo copy of `gazette_site` into `dest` (replacing it); return `dest`."""
    config = tomllib.loads((gazette_site / "config.toml").read_text(encoding="utf-8"))
    zone = ZoneInfo(config["site"].get("timezone", "UTC"))
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(LAYOUT, dest, ignore=shutil.ignore_patterns("README.md"))
    if (gazette_site / "static").is_dir():  # the same stylesheet and icons
        shutil.copytree(gazette_site / "static", dest / "static", dirs_exist_ok=True)
    from pygments.formatters import HtmlFormatter

    (dest / "static" / "code.css").write_text(HtmlFormatter().get_style_defs(".highlight"))
    content = gazette_site / "content"
    for weight, (slug, name) in enumerate(config.get("sections", {}).items(), start=1):
        folder = dest / "content" / slug
        folder.mkdir(parents=True, exist_ok=True)
        section = {"title": name, "weight": weight}
        lines = "".join(f"{k}: {json.dumps(v)}\n" for k, v in section.items())
        (folder / "_index.md").write_text(f"---\n{lines}---\n", encoding="utf-8")
    for path in sorted(content.rglob("*.md")):
        relative = path.relative_to(content).as_posix()
        front = read_front_matter(read_source(path, content, relative), relative)
        target = dest / "content" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hugo_front_matter(front.meta, zone) + "\n" + front.body, "utf-8")
    return dest


def build(site: Path, output: Path) -> Timing:
    """One cold Hugo build, timed: no output folder, no `resources/`, an empty cache."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(site / "resources", ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="hugo-cache-") as cache:
        env = {**os.environ, "HUGO_CACHEDIR": cache}
        command = [hugo_path() or "hugo", "--quiet", "--source", str(site)]
        command += ["--destination", str(output)]
        with tempfile.TemporaryFile() as errors:  # a file, not a pipe: never fills up
            started = time.perf_counter()
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
            _, status, usage = os.wait4(process.pid, 0)  # its CPU time, as run.py's builds
            seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            errors.seek(0)
            error = errors.read().decode(errors="replace")
    if process.returncode != 0:
        raise SystemExit(f"hugo failed:\n{error[-3000:]}")
    return Timing(seconds, usage.ru_utime + usage.ru_stime)


def count(output: Path) -> tuple[int, int]:
    """(HTML pages, files) in a built site. Hugo's `page/1/` redirects are not pages."""
    files = [p for p in output.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html" and not p.match("page/1/index.html")]
    return len(pages), len(files)


class Beside:
    """Hugo timed beside Gazette in one benchmark run: one Hugo cold build right
    after each Gazette cold build, so both meet the same load on a shared machine."""

    def __init__(self, gazette_site: Path, work: Path) -> None:
        self.site = write_site(gazette_site, work / "hugo-site")
        self.output = work / "hugo-out"
        self.times: list[float] = []
        self.cpu: list[float] = []

    def cold(self) -> float:
        seconds, cpu = build(self.site, self.output)
        self.times.append(seconds)
        self.cpu.append(cpu)
        print(f"    Hugo cold build, right after: {seconds:.2f} s, {cpu:.2f} s CPU")
        return seconds

    def rows(
        self, gazette: list[float], cpu: list[float], indexing: list[float], gazette_out: Path
    ) -> list[Row]:
        """The table's rows: Hugo's cold build, both sites' sizes, and the paired ratios
        (with and without the search index, which Gazette builds and Hugo does not)."""
        rows = [_row("Hugo cold build, same corpus", self.times, " s")]
        rows.append(_row("Hugo cold build, CPU time", self.cpu, " s"))
        pages, files = count(self.output)
        ours, our_files = count(gazette_out)
        rows.append(("HTML pages / files: Gazette", f"{ours} / {our_files}", ""))
        rows.append(("HTML pages / files: Hugo", f"{pages} / {files}", ""))
        ratios = [g / h for g, h in zip(gazette, self.times, strict=True)]
        rows.append(_row("Gazette cold ÷ Hugo cold (paired)", ratios, "x"))
        if len(indexing) == len(gazette):
            bare = [g - i for g, i in zip(gazette, indexing, strict=True)]
            rows.append(_row("Gazette cold without the search index", bare, " s"))
            ratios = [b / h for b, h in zip(bare, self.times, strict=True)]
            rows.append(_row("the same ÷ Hugo cold (paired)", ratios, "x"))
        ratios = [g / h for g, h in zip(cpu, self.cpu, strict=True)]
        rows.append(_row("Gazette cold ÷ Hugo cold, CPU time (paired)", ratios, "x"))
        return rows


def _row(label: str, values: list[float], unit: str) -> Row:
    """(label, median, every run) as bench/run.py prints its rows."""
    listed = " ".join(f"{v:.2f}" for v in values)
    return label, f"{statistics.median(values):.2f}{unit}", listed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gazette_site", type=Path)
    parser.add_argument("hugo_site", type=Path)
    parser.add_argument("--build", type=Path, default=None, help="then build it into this folder")
    args = parser.parse_args(argv)
    write_site(args.gazette_site, args.hugo_site)
    if args.build:
        seconds, cpu = build(args.hugo_site, args.build)
        pages, files = count(args.build)
        print(f"hugo: {pages} HTML pages, {files} files in {seconds:.2f} s ({cpu:.2f} s CPU)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
