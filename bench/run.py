#!/usr/bin/env python3
"""Gazette's benchmark: `python bench/run.py --articles 10000`.

Generates a seeded synthetic news site (bench/corpus.py) in a temporary folder,
using this repository's templates and static files as the theme, then times the
command line as a user runs it (`python build.py --config ... --output ...`,
a fresh process each time, so interpreter start-up and imports count):

- cold build: no cache, empty output folder;
- no-op rebuild: nothing changed since the last build;
- one article edited: a sentence added to one story's body;
- one template edited: article.html changed (every article page uses it);
- the same article edit through one Builder kept alive in a process (no start-up,
  no cache to load), as a long-running tool would use it;
- peak memory: the largest resident set of any build process (workers included);
- the floor: Markdown conversion alone of the same bodies, in 1 and N processes.

Each figure is the median of --runs runs. The machine is shared with other
work, so medians of several runs are more telling than any single one. For the
same reason the N-process floor is measured right after each cold build, and the
ratio of the two is the median of those pairs: a floor timed minutes away from
the builds it is compared with may have met another load on the machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

from gazette.content import SourceFile, split_front_matter  # noqa: E402
from gazette.markup import MarkdownRenderer  # noqa: E402


def run_build(site: Path, output: Path, jobs: int | None) -> tuple[float, float, str]:
    """One `build.py` process: (seconds, peak RSS in MB of it and its workers, summary)."""
    command = [sys.executable, str(ROOT / "build.py"), "--config", str(site / "config.toml")]
    command += ["--output", str(output)]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{err}")
    return seconds, usage.ru_maxrss / 1024, out.strip().splitlines()[-1]


def bodies(site: Path) -> list[str]:
    found = []
    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        found.append(split_front_matter(SourceFile(path.name, text), path.name)[1])
    return found


def _convert_chunk(chunk: list[str]) -> int:
    renderer = MarkdownRenderer()
    return sum(len(renderer.convert(body)[0]) for body in chunk)


def markdown_floor(texts: list[str], processes: int) -> float:
    started = time.perf_counter()
    if processes == 1:
        _convert_chunk(texts)
    else:
        size = max(1, len(texts) // (processes * 8))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            sum(pool.imap_unordered(_convert_chunk, chunks))
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(runs: int, action: Callable[[int], float]) -> list[float]:
    return [action(n) for n in range(runs)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="passed to build.py --jobs")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated site")
    args = parser.parse_args(argv)
    jobs = args.jobs or os.cpu_count() or 1

    work = Path(tempfile.mkdtemp(prefix="gazette-bench-", dir=args.dir))
    site = work / "site"
    started = time.perf_counter()
    corpus.generate(site, args.articles, seed=args.seed, theme=ROOT)
    print(f"corpus: {args.articles} articles in {site} ({time.perf_counter() - started:.1f} s)")
    rows: list[tuple[str, str, str]] = []
    peak = 0.0

    texts = bodies(site)
    paired: list[float] = []  # the N-process floor, timed right after each cold build

    def cold(n: int) -> float:
        nonlocal peak
        seconds, rss, summary = run_build(site, work / f"cold-{n}", args.jobs)
        peak = max(peak, rss)
        paired.append(markdown_floor(texts, jobs))
        print(f"  cold #{n + 1}: {seconds:.2f} s, {rss:.0f} MB  [{summary}]")
        print(f"    Markdown alone, {jobs} processes, right after: {paired[-1]:.2f} s")
        return seconds

    output = work / "output"
    run_build(site, output, args.jobs)  # the site the rebuilds start from

    def rebuild(label: str) -> Callable[[int], float]:
        def action(n: int) -> float:
            nonlocal peak
            seconds, rss, summary = run_build(site, output, args.jobs)
            peak = max(peak, rss)
            print(f"  {label} #{n + 1}: {seconds:.2f} s, {rss:.0f} MB  [{summary}]")
            return seconds

        return action

    stories = sorted((site / "content").rglob("*.md"))
    story = stories[len(stories) // 2]
    original = story.read_text(encoding="utf-8")

    def edit_article(n: int) -> float:
        story.write_text(original + f"\nA late paragraph, edition {n}.\n", encoding="utf-8")
        return rebuild("one article edited")(n)

    template = site / "templates" / "article.html"
    template_text = template.read_text(encoding="utf-8")

    def edit_template(n: int) -> float:
        marked = f'<!-- edition {n} --><article class="story"'
        template.write_text(template_text.replace('<article class="story"', marked), "utf-8")
        return rebuild("one template edited")(n)

    results = {
        "cold full build": measure(args.runs, cold),
        "no-op rebuild": measure(args.runs, rebuild("no-op")),
        "one article edited": measure(args.runs, edit_article),
        "one template edited (article.html)": measure(args.runs, edit_template),
    }
    template.write_text(template_text, encoding="utf-8")
    story.write_text(original, encoding="utf-8")
    run_build(site, output, args.jobs)

    # one Builder kept alive, one file edited
    from gazette.builder import Builder
    from gazette.config import load_config

    builder = Builder(load_config(site / "config.toml"), output, jobs=args.jobs, cache=True)
    builder.build()
    live = []
    for n in range(args.runs):
        story.write_text(original + f"\nA live paragraph, take {n}.\n", encoding="utf-8")
        t = time.perf_counter()
        result = builder.build({story})
        live.append(time.perf_counter() - t)
        print(f"  in-process edit #{n + 1}: {live[-1]:.3f} s [{result.summary()}]")
    results["one article edited, Builder kept alive"] = live
    story.write_text(original, encoding="utf-8")

    floor1 = median(measure(args.runs, lambda n: markdown_floor(texts, 1)))

    for label, values in results.items():
        rows.append((label, f"{median(values):.2f} s", " ".join(f"{v:.2f}" for v in values)))
    rows.append(("peak memory (max RSS of a build process)", f"{peak:.0f} MB", ""))
    rows.append(("Markdown alone, 1 process", f"{floor1:.2f} s", ""))
    floors = " ".join(f"{v:.2f}" for v in paired)
    rows.append((f"Markdown alone, {jobs} processes", f"{median(paired):.2f} s", floors))
    colds = results["cold full build"]
    ratios = [build / floor for build, floor in zip(colds, paired, strict=True)]
    rows.append(
        (
            "cold build / Markdown alone (N processes)",
            f"{median(ratios):.2f}x",
            " ".join(f"{v:.2f}" for v in ratios),
        )
    )

    print()
    print(
        f"Gazette benchmark: {args.articles} articles, seed {args.seed}, jobs {jobs}, "
        f"median of {args.runs} runs; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}"
    )
    width = max(len(r[0]) for r in rows)
    print(f"| {'figure'.ljust(width)} | median | runs |")
    print(f"|{'-' * (width + 2)}|--------|------|")
    for label, value, all_runs in rows:
        print(f"| {label.ljust(width)} | {value} | {all_runs} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"kept: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
