#!/usr/bin/env python3
"""Gazette's benchmark: `python bench/run.py --articles 10000`.

Generates a seeded synthetic news site (bench/corpus.py) in a temporary folder,
using the packaged theme and the sample site's own templates, then times the
command line as a user runs it (`python build.py --config ... --output ...`,
a fresh process each time, so interpreter start-up and imports count):

- cold build: no cache, empty output folder;
- no-op rebuild: nothing changed since the last build;
- one article edited: a sentence added to one story's body;
- one template edited: article.html changed (every article page uses it);
- the same article edit through one Builder kept alive in a process (no start-up,
  no cache to load), as a long-running tool would use it;
- one headline edited: the title line of one story (its URL and every listing that shows
  it change), and one article added: a new story, the newest of its section;
- peak memory: PSS summed over the build process and its workers (bench/memory.py),
  and the largest resident set of any one of them;
- the floor: Markdown conversion alone of the same bodies, in 1 and N processes;
- Hugo's cold build of the same corpus (bench/hugo_site.py, layout in bench/hugo/),
  when `hugo` is on PATH (`--no-hugo` skips it), one right after each cold build.

Each figure is the median of --runs runs. The machine is shared with other
work, so medians of several runs are more telling than any single one. For the
same reason the N-process floor is measured right after each cold build, and the
ratio of the two is the median of those pairs: a floor timed minutes away from
the builds it is compared with may have met another load on the machine.

The last two rows say how much of a cold build is not Markdown: the CPU time of
the build's processes less that of Markdown alone, and the ratio the build would
have if all of that work were spread over the cores with no time lost (one
process waiting for another, start-up). A ratio target below that figure cannot
be met by parallelising better, only by doing less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402
import hugo_site  # noqa: E402
from memory import PeakPss  # noqa: E402

from gazette.stages.frontmatter import SourceFile, split_front_matter  # noqa: E402
from gazette.stages.markup import MarkdownRenderer  # noqa: E402


class Run(NamedTuple):
    seconds: float
    cpu: float  # user and system time of the build process and all its workers
    rss: float  # peak resident set in MB of any of them
    pss: float  # peak PSS in MB summed over all of them
    summary: str


def run_build(site: Path, output: Path, jobs: int | None) -> Run:
    """One `build.py` process, timed."""
    command = [sys.executable, str(ROOT / "build.py"), "--config", str(site / "config.toml")]
    command += ["--output", str(output)]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with PeakPss(process.pid) as pss:
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed:\n{err}")
    cpu = usage.ru_utime + usage.ru_stime  # workers included: the build waits for them
    return Run(seconds, cpu, usage.ru_maxrss / 1024, pss.mb, out.strip().splitlines()[-1])


def bodies(site: Path) -> list[str]:
    found = []
    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        found.append(split_front_matter(SourceFile(path.name, text), path.name)[1])
    return found


def _convert_chunk(chunk: list[str]) -> int:
    renderer = MarkdownRenderer()
    return sum(len(renderer.convert(body)[0]) for body in chunk)


def markdown_floor(texts: list[str], processes: int) -> tuple[float, float]:
    """Markdown conversion alone: (seconds, CPU seconds of this process and its workers)."""
    started, cpu = time.perf_counter(), _cpu()
    if processes == 1:
        _convert_chunk(texts)
    else:
        size = max(1, len(texts) // (processes * 8))
        chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            sum(pool.imap_unordered(_convert_chunk, chunks))
    return time.perf_counter() - started, _cpu() - cpu


def _cpu() -> float:
    mine, workers = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return mine.ru_utime + mine.ru_stime + workers.ru_utime + workers.ru_stime


def timed(command: list[str], expect: int = 0) -> float:
    """Seconds from the start of a process to its end, start-up and imports included."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode != expect:
        raise SystemExit(f"{command[1:3]} gave {result.returncode}:\n{result.stderr[-2000:]}")
    return seconds


SERVE_FIRST_PAGE = """
import sys
from pathlib import Path
from gazette.sinks.memory import MemorySink
sink = MemorySink(Path(sys.argv[1]))
update = sink.rebuild()
assert update.error is None, update.error
assert sink.resource("") is not None
"""


def other_commands(site: Path, runs: int, jobs: int | None) -> dict[str, list[float]]:
    """serve and check on a warm cache (the one beside the site's own output/, which
    both read), and how soon a content error is reported by a cold build."""
    config = str(site / "config.toml")
    run_build(site, site / "output", jobs)  # warms site/.gazette-cache/output
    serve = [sys.executable, "-c", SERVE_FIRST_PAGE, config]
    check = [sys.executable, str(ROOT / "build.py"), "check", "--config", config]
    found: dict[str, list[float]] = {}
    found["serve, warm cache: home page answered"] = measure(runs, lambda n: timed(serve))
    found["check, warm cache"] = measure(runs, lambda n: timed(check, expect=0))
    bad = site / "content" / "zz-broken.md"
    bad.write_text("---\ntitle: Broken\ndate: soon\n---\n\nText.\n", encoding="utf-8")
    try:

        def broken(n: int) -> float:
            output = site.parent / f"broken-{n}"
            command = [sys.executable, str(ROOT / "build.py"), "--config", config]
            return timed([*command, "--output", str(output)], expect=1)

        found["content error reported, cold"] = measure(runs, broken)
    finally:
        bad.unlink()
    return found


def median(values: list[float]) -> float:
    return statistics.median(values)


def _listed(values: list[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


def measure(runs: int, action: Callable[[int], float]) -> list[float]:
    return [action(n) for n in range(runs)]


def photo_case(work: Path, count: int, size: tuple[int, int], args: argparse.Namespace) -> None:
    """`--images N`: N stories, each leading with its own photo of `size` (3000x2000 by
    default, a JPEG with GPS EXIF as a phone writes it); cold build (no cache), no-op
    rebuild (every photo in the cache), and one new photo added."""
    from PIL import Image, ImageDraw

    site = work / "photos"
    corpus.generate(site, count, seed=args.seed, theme=ROOT)
    stories = sorted((site / "content").rglob("*.md"))[:count]
    base = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 80).convert("RGB")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (23.0, 48.0, 30.0)}

    def photo(n: int, path: Path) -> None:
        image = base.copy()
        ImageDraw.Draw(image).rectangle(
            (n % 50 * 20, 0, n % 50 * 20 + 400, 300), fill=(n % 256, 90, 160)
        )
        image.save(path, "JPEG", quality=88, exif=exif.tobytes())

    started = time.perf_counter()
    for n, story in enumerate(stories):
        photo(n, story.with_suffix(".jpg"))
        text = story.read_text(encoding="utf-8")
        story.write_text(text.replace("---\n", f"---\nimage: {story.stem}.jpg\n", 1), "utf-8")
    print(f"photos: {count} of {size[0]}x{size[1]} ({time.perf_counter() - started:.1f} s)")
    rows = []
    cold = run_build(site, work / "photos-out", args.jobs)
    rows.append(("cold build (every photo encoded)", cold))
    rows.append(
        ("no-op rebuild (photos in the cache)", run_build(site, work / "photos-out", args.jobs))
    )
    photo(count, stories[0].with_name("late-photo.jpg"))
    rows.append(("one new photo added", run_build(site, work / "photos-out", args.jobs)))
    out = work / "photos-out"
    total = sum(p.stat().st_size for p in out.rglob("*") if p.suffix in (".jpg", ".avif", ".webp"))
    jobs = args.jobs or os.cpu_count()
    print(f"\nGazette photo benchmark: {count} photos of {size[0]}x{size[1]}, jobs {jobs}")
    print("| figure | seconds | CPU s | peak MB |\n|---|---|---|---|")
    for label, run in rows:
        print(f"| {label} | {run.seconds:.2f} | {run.cpu:.2f} | {run.rss:.0f} |")
    print(f"photo files written: {total / 1e6:.1f} MB")


def kept_alive(
    site: Path, output: Path, story: Path, original: str, args: argparse.Namespace
) -> dict[str, list[float]]:
    """One disk sink kept alive in this process, one file edited again and again."""
    from gazette.sinks.disk import DiskSink
    from gazette.stages.config import load_config

    builder = DiskSink(load_config(site / "config.toml"), output, jobs=args.jobs, cache=True)
    builder.build()
    live = []
    for n in range(args.runs):
        story.write_text(original + f"\nA live paragraph, take {n}.\n", encoding="utf-8")
        t = time.perf_counter()
        result = builder.build({story})
        live.append(time.perf_counter() - t)
        print(f"  in-process edit #{n + 1}: {live[-1]:.3f} s [{result.summary()}]")
    story.write_text(original, encoding="utf-8")
    return {"one article edited, sink kept alive": live}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=None, help="passed to build.py --jobs")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    parser.add_argument("--keep", action="store_true", help="keep the generated site")
    parser.add_argument("--images", type=int, default=0, help="the photo case: N photos")
    parser.add_argument("--image-size", default="3000x2000", help="the photos' size, WxH")
    parser.add_argument("--no-hugo", action="store_true", help="do not time Hugo beside it")
    parser.add_argument("--no-search", action="store_true", help="build without a search index")
    parser.add_argument(
        "--builds-only",
        action="store_true",
        help="only the command line's builds: no template edit, kept-alive sink, serve, "
        "check or one-process floor (for a big site in a short while)",
    )
    args = parser.parse_args(argv)
    if args.images:
        work = Path(tempfile.mkdtemp(prefix="gazette-bench-", dir=args.dir))
        width, height = (int(n) for n in args.image_size.split("x"))
        photo_case(work, args.images, (width, height), args)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return 0
    jobs = args.jobs or os.cpu_count() or 1

    work = Path(tempfile.mkdtemp(prefix="gazette-bench-", dir=args.dir))
    site = work / "site"
    started = time.perf_counter()
    corpus.generate(site, args.articles, seed=args.seed, theme=ROOT)
    if args.no_search:
        with (site / "config.toml").open("a", encoding="utf-8") as config:
            config.write("\n[search]\nenabled = false\n")
    print(f"corpus: {args.articles} articles in {site} ({time.perf_counter() - started:.1f} s)")
    rows: list[tuple[str, str, str]] = []
    peak = 0.0  # the largest resident set of any build process
    peak_pss = 0.0  # the largest PSS summed over a build's processes

    texts = bodies(site)
    hugo = None if args.no_hugo or not hugo_site.hugo_path() else hugo_site.Beside(site, work)
    paired: list[tuple[float, float]] = []  # the N-process floor right after each cold build
    cold_cpu: list[float] = []
    indexing: list[float] = []  # the search index's share of each cold build (its summary)

    def cold(n: int) -> float:
        nonlocal peak, peak_pss
        run = run_build(site, work / f"cold-{n}", args.jobs)
        peak, peak_pss = max(peak, run.rss), max(peak_pss, run.pss)
        cold_cpu.append(run.cpu)
        found = re.search(r"search index ([0-9.]+) s", run.summary)
        if found:
            indexing.append(float(found.group(1)))
        paired.append(markdown_floor(texts, jobs))
        print(f"  cold #{n + 1}: {run.seconds:.2f} s, {run.cpu:.2f} s CPU, {run.pss:.0f} MB PSS")
        print(f"    [{run.summary}]")
        print(f"    Markdown alone, {jobs} processes, right after: {paired[-1][0]:.2f} s")
        if hugo:
            hugo.cold()
        return run.seconds

    output = work / f"cold-{args.runs - 1}"  # the rebuilds start from the last cold build

    def rebuild(label: str) -> Callable[[int], float]:
        def action(n: int) -> float:
            nonlocal peak, peak_pss
            run = run_build(site, output, args.jobs)
            peak, peak_pss = max(peak, run.rss), max(peak_pss, run.pss)
            print(f"  {label} #{n + 1}: {run.seconds:.2f} s, {run.pss:.0f} MB  [{run.summary}]")
            return run.seconds

        return action

    stories = sorted((site / "content").rglob("*.md"))
    story = stories[len(stories) // 2]
    original = story.read_text(encoding="utf-8")

    def edit_article(n: int) -> float:
        story.write_text(original + f"\nA late paragraph, edition {n}.\n", encoding="utf-8")
        return rebuild("one article edited")(n)

    def edit_headline(n: int) -> float:
        text = re.sub(r"(?m)^title: (.*)$", rf"title: \1, revised {n}", original, count=1)
        story.write_text(text, encoding="utf-8")
        return rebuild("one headline edited")(n)

    added: list[Path] = []

    def add_article(n: int) -> float:
        newest = dt.datetime(2024, 7, 1, 6, 0) + dt.timedelta(hours=n)
        path = story.parent / f"added-{n}.md"
        path.write_text(
            f"---\ntitle: A story added to the archive, number {n}\n"
            f"date: {newest:%Y-%m-%d %H:%M}\ntags: [{corpus.TAGS[n % len(corpus.TAGS)]}]\n---\n\n"
            f"The newest story of its section, added as take {n}.\n",
            encoding="utf-8",
        )
        added.append(path)
        return rebuild("one article added")(n)

    template = site / "templates" / "article.html"
    template_text = template.read_text(encoding="utf-8")

    def edit_template(n: int) -> float:
        marked = f'<!-- edition {n} --><article class="story'
        edited = template_text.replace('<article class="story', marked, 1)
        if edited == template_text:  # the theme changed: time an edit, not a no-op
            raise SystemExit('bench: article.html has no <article class="story')
        template.write_text(edited, "utf-8")
        return rebuild("one template edited")(n)

    results = {
        "cold full build": measure(args.runs, cold),
        "no-op rebuild": measure(args.runs, rebuild("no-op")),
        "one article edited": measure(args.runs, edit_article),
        "one headline edited": measure(args.runs, edit_headline),
        "one article added": measure(args.runs, add_article),
    }
    if not args.builds_only:
        results["one template edited (article.html)"] = measure(args.runs, edit_template)
    template.write_text(template_text, encoding="utf-8")
    story.write_text(original, encoding="utf-8")
    for path in added:
        path.unlink()
    run_build(site, output, args.jobs)

    if not args.builds_only:
        results.update(kept_alive(site, output, story, original, args))
        results.update(other_commands(site, args.runs, args.jobs))
    floor1 = None
    if not args.builds_only:
        floor1 = median(measure(args.runs, lambda n: markdown_floor(texts, 1)[0]))

    for label, values in results.items():
        rows.append((label, f"{median(values):.2f} s", _listed(values)))
    if indexing:
        rows.append(("search index, within the cold build", f"{median(indexing):.2f} s",
                     _listed(indexing)))  # fmt: skip
    rows.append(("peak memory (PSS summed over a build's processes)", f"{peak_pss:.0f} MB", ""))
    rows.append(("peak memory (max RSS of a build process)", f"{peak:.0f} MB", ""))
    if floor1 is not None:
        rows.append(("Markdown alone, 1 process", f"{floor1:.2f} s", ""))
    floors = [seconds for seconds, _ in paired]
    rows.append((f"Markdown alone, {jobs} processes", f"{median(floors):.2f} s", _listed(floors)))
    ratios = [
        build / floor for build, floor in zip(results["cold full build"], floors, strict=True)
    ]
    rows.append(
        ("cold build / Markdown alone (N processes)", f"{median(ratios):.2f}x", _listed(ratios))
    )
    # The rest of the build's work, as CPU time: were it spread over the cores with no
    # time lost, the cold build would take the floor plus this over the number of cores.
    rest = [build - floor_cpu for build, (_, floor_cpu) in zip(cold_cpu, paired, strict=True)]
    rows.append(("CPU time besides Markdown (cold build)", f"{median(rest):.2f} s", _listed(rest)))
    ideal = [1 + r / (jobs * floor) for r, floor in zip(rest, floors, strict=True)]
    rows.append(
        ("the same ratio with all of that parallel", f"{median(ideal):.2f}x", _listed(ideal))
    )
    if hugo:  # the cold build against Hugo's, each pair timed one after the other
        rows += hugo.rows(results["cold full build"], cold_cpu, indexing, work / "cold-0")

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
