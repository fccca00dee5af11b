#!/usr/bin/env python3
"""How long the search page takes to show results: `python bench/search_latency.py SITE_OUTPUT`.

Serves a built site (at the root, then under a sub-path) with a plain HTTP server,
opens its /search/ page in Chromium, types each query as a reader would and
times from the last keystroke to the first result on screen; prints each
query's median over --runs, and the headline of its first result, so one can see
the right story came first. A fresh page per run, so the first figure includes
loading Pagefind and the index; the second is the same query typed after another
search on that page (--warm, default "budget"), as a reader's next search is.
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


def _typed(page: object, box: object, query: str) -> float:
    """Type `query` (replacing what is there); seconds from its last key to a result."""
    box.fill(query[:-1])  # type: ignore[attr-defined]
    page.wait_for_timeout(400)  # type: ignore[attr-defined]
    started = time.perf_counter()
    box.press(query[-1])  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        "q => [...document.querySelectorAll('.pagefind-ui__message')]"
        ".some(m => m.textContent.includes(q))"
        " && document.querySelector('.pagefind-ui__result-link') !== null",
        arg=query,
        timeout=30_000,
    )
    return time.perf_counter() - started


def _median(times: list[float]) -> str:
    return f"{statistics.median(times):.3f} s ({', '.join(f'{t:.3f}' for t in times)})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path, help="a built site's output folder")
    parser.add_argument("queries", nargs="*", default=["river", "parliament budget"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warm", default="budget", help="the search typed first (warm)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for prefix in ("/", "/edition/"):
            with serve_folder(args.output, prefix) as base:
                for query in args.queries:
                    cold, warm, first = [], [], ""
                    for _ in range(args.runs):
                        page = browser.new_page()
                        page.goto(base + "search/")
                        page.wait_for_selector(".pagefind-ui__search-input")
                        box = page.locator(".pagefind-ui__search-input")
                        cold.append(_typed(page, box, query))
                        first = page.locator(".pagefind-ui__result-link").first.inner_text()
                        _typed(page, box, args.warm)
                        warm.append(_typed(page, box, query))
                        page.close()
                    print(
                        f"{prefix:10} {query!r:24} fresh page {_median(cold)}, "
                        f"after another search {_median(warm)}; first: {first}"
                    )
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
