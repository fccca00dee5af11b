"""Two versions of Gazette, builds of one corpus, alternating in one run.

    git worktree add --detach /tmp/before fe381f0
    python bench/paired.py /tmp/before . --articles 4000 --pairs 6 [--case noop|edit]

On a shared machine the load changes from minute to minute, so two benchmark runs
compare badly; builds that alternate (before, after, after, before...) meet the
same load, and the median of the pairs' ratios says which version is faster.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

CASES = ("cold", "noop", "edit")


def timed_build(tree: Path, site: Path, output: Path) -> tuple[float, float]:
    """(seconds, CPU seconds of the build and its workers) of one `build.py` run."""
    command = [sys.executable, str(tree / "build.py"), "--config", str(site / "config.toml")]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "--output", str(output)], stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tree}: build failed:\n{process.stderr.read().decode()}")
    return seconds, usage.ru_utime + usage.ru_stime


def one_run(case: str, tree: Path, site: Path, output: Path, number: int) -> tuple[float, float]:
    """Time one build of `case`: cold (cache and output removed after), a no-op, or
    one story's body edited (a sentence more each time)."""
    if case == "edit":
        story = next((site / "content").rglob("story-000007.md"))
        with story.open("a", encoding="utf-8") as text:
            text.write(f"\nOne more line, number {number}.\n")
    figures = timed_build(tree, site, output)
    if case == "cold":
        shutil.rmtree(output)
        shutil.rmtree(output.parent / ".gazette-cache" / output.name, ignore_errors=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="a checkout of the older version")
    parser.add_argument("after", type=Path, help="a checkout of the newer version")
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--pairs", type=int, default=6)
    parser.add_argument("--case", choices=CASES, default="cold", help="what each build is")
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: temp)")
    parser.add_argument(
        "--no-search",
        action="store_true",
        help="the newer version builds without its search index (for a version without one)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gazette-paired-", dir=args.dir))
    runs: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    # The same articles for both, each with its own version's theme: a template of one
    # version may call what the other does not have.
    sites = {
        name: corpus.generate(work / f"site-{name}", args.articles, seed=1, theme=tree)
        for name, tree in trees.items()
    }
    if args.no_search:
        with (sites["after"] / "config.toml").open("a", encoding="utf-8") as config:
            config.write("\n[search]\nenabled = false\n")
    if args.case != "cold":  # a first build for the rebuilds to start from
        for name, tree in trees.items():
            timed_build(tree, sites[name], work / f"out-{name}")
    for pair in range(args.pairs):
        for name in ("before", "after") if pair % 2 == 0 else ("after", "before"):
            seconds, cpu = one_run(args.case, trees[name], sites[name], work / f"out-{name}", pair)
            runs[name].append((seconds, cpu))
            print(f"pair {pair + 1} {name}: {seconds:.2f} s, {cpu:.2f} s CPU", flush=True)
    for index, what in ((0, "wall"), (1, "CPU")):
        ratios = [a[index] / b[index] for b, a in zip(runs["before"], runs["after"], strict=True)]
        shown = " ".join(f"{r:.3f}" for r in ratios)
        print(f"after / before, {what}: median {statistics.median(ratios):.3f} ({shown})")
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
