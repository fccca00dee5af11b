#!/usr/bin/env python3
"""What one edited story costs the search index: `python bench/search_parts.py 10000`.

Makes the search records of N synthetic stories (bench/corpus.py's wire copy, the
text the index holds) and times Pagefind on what an edit of one story indexes
again: all N in one bundle ('whole'), as before the index came in parts, and the
one part that story falls in now ('part', gazette.stages.search_parts); and what
a cold build indexes now, every part one after another ('parts'). Each run is a
process of its own, so the CPU time and peak memory printed are that run's
Pagefind alone (its children's, from getrusage; the largest resident set of one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import corpus  # noqa: E402

from gazette.machine.search import Record, index_records  # noqa: E402
from gazette.stages.search_parts import part_count, part_of  # noqa: E402

START = dt.datetime(2024, 6, 1, 12, 0)
MODES = ("whole", "part", "parts")


def records(count: int) -> list[tuple[str, Record]]:
    """(source path, record) of `count` stories, the same for the same count."""
    rng = random.Random(1)
    made = []
    for number in range(count):
        section, text = corpus.article_text(rng, number, START)
        _, front, body = text.split("---\n", 2)
        title = next(line[7:] for line in front.splitlines() if line.startswith("title: "))
        name = corpus.SECTIONS[section]
        made.append(
            (
                f"{section}/story-{number}.md",
                Record(
                    f"{section}/story-{number}/",
                    title,
                    f"{title}\n{body}",
                    {"title": title, "date": "June 1, 2024", "section": name},
                    {"section": [name], "year": ["2024"], "type": ["news"]},
                    {"date": "2024-06-01T12:00:00"},
                ),
            )
        )
    return made


def run(stories: int, mode: str) -> dict[str, float]:
    """Index every story in one bundle ('whole'), story 0's part ('part'), or every
    part one after another ('parts')."""
    made = records(stories)
    count = part_count(stories)
    groups: list[list[Record]] = [[] for _ in range(count)]
    for path, record in made:
        groups[part_of(path, count)].append(record)
    chosen = {
        "whole": [[record for _, record in made]],
        "part": [groups[part_of(made[0][0], count)]],
        "parts": groups,
    }[mode]
    seconds = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        for number, group in enumerate(chosen):
            seconds += index_records(group, "en", Path(folder) / str(number))
    used = resource.getrusage(resource.RUSAGE_CHILDREN)  # Pagefind's runs, all of them
    return {"stories": max(map(len, chosen)), "runs": len(chosen), "seconds": seconds,
            "cpu": used.ru_utime + used.ru_stime, "peak_mb": used.ru_maxrss / 1024}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stories", type=int, nargs="+", help="site sizes to measure")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (default 3)")
    parser.add_argument("--modes", default="whole,part,parts", help="(default: all three)")
    parser.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run(args.stories[0], args.one)))
        return 0
    for stories in args.stories:
        for mode in args.modes.split(","):
            for _ in range(args.runs):
                command = [sys.executable, __file__, str(stories), "--one", mode]
                done = subprocess.run(command, capture_output=True, text=True, check=True)
                got = json.loads(done.stdout)
                print(
                    f"{stories} stories, {mode:5}: {got['runs']:>3} Pagefind run(s) of up to "
                    f"{got['stories']:>6} stories {got['seconds']:6.2f} s "
                    f"({got['cpu']:6.2f} s CPU), peak {got['peak_mb']:5.0f} MB",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
