#!/usr/bin/env python3
"""How long the search page takes to show results: `python bench/search_latency.py SITE_OUTPUT`.

Serves a built site (at the root, then under a sub-path) with a plain HTTP server,
opens its /search/ page in Chromium, types each query as a reader would and
times from the last keystroke to the first result on screen; prints each
query's median over --runs, and the headline of its first result, so one can see
the right story came first. A fresh page per run: nothing is cached between them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CHROMIUM_ARGS, serve_folder  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="a built site's output folder")
    parser.add_argument("queries", nargs="*", default=["river", "parliament budget"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for prefix in ("/", "/edition/"):
            with serve_folder(args.output, prefix) as base:
                for query in args.queries:
                    times, first = [], ""
                    for _ in range(args.runs):
                        page = browser.new_page()
                        page.goto(base + "search/")
                        page.wait_for_selector(".pagefind-ui__search-input")
                        box = page.locator(".pagefind-ui__search-input")
                        box.fill(query[:-1])
                        started = time.perf_counter()
                        box.press(query[-1])
                        page.wait_for_selector(
                            ".pagefind-ui__result-link", state="attached", timeout=20_000
                        )
                        times.append(time.perf_counter() - started)
                        first = page.locator(".pagefind-ui__result-link").first.inner_text()
                        page.close()
                    print(
                        f"{prefix:10} {query!r:24} median {statistics.median(times):.3f} s "
                        f"({', '.join(f'{t:.3f}' for t in times)}); first: {first}"
                    )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
