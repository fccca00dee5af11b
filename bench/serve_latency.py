"""Edit -> browser latency of `build.py serve`, measured with a real Chromium.

Generates a seeded site of N articles in a temporary folder, starts the preview
server in this process, opens one article page in Chromium, then saves edits
the way editors do (write a temporary file, rename it over the article) and
times how long until the new text is in the page. Also times a stylesheet save
until the new style is applied without a reload.

    python bench/serve_latency.py --articles 1000 --edits 7
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from tests.conftest import CHROMIUM_ARGS  # noqa: E402


def write_corpus(site: Path, count: int) -> list[Path]:
    """Issue 5's seeded corpus (about 600 words an article, 8 sections, 50 tags)."""
    from corpus import generate

    generate(site, count)
    return sorted((site / "content").rglob("*.md"))


def save_atomically(path: Path, text: str) -> None:
    """As editors save: write a temporary file beside the article, then rename it over."""
    temp = path.with_name(f"{path.name}.saving")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(count: int, edits: int, chromium: str) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    from gazette.commands.serve import LiveServer

    rebuilds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="gazette-bench-serve-") as folder:
        site = Path(folder)
        started = time.perf_counter()
        paths = write_corpus(site, count)
        print(f"corpus: {count} articles written in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()

        def log(line: str) -> None:
            if line.startswith("rebuilt"):
                rebuilds.append(float(line.rsplit(" in ", 1)[1].split()[0]))

        server = LiveServer(site / "config.toml", port=free_port(), log=log).start()
        print(f"preview: first build in {time.perf_counter() - started:.1f} s")
        results: dict[str, list[float]] = {"article": [], "css": []}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.set_default_timeout(60_000)
                article = paths[len(paths) // 2]
                url = server.preview.article_url(article)
                assert url is not None, article
                page.goto(server.url + url)
                original = article.read_text(encoding="utf-8")
                for n in range(edits):
                    page.wait_for_function("window.gazetteLive && window.gazetteLive.connected")
                    token = f"Edited-{n}-{random.randrange(10**9)}"
                    text = original.replace("---\n\n", f"---\n\n{token} ", 1)
                    time.sleep(0.3)  # let the previous reload settle
                    before = time.perf_counter()
                    save_atomically(article, text)
                    page.wait_for_function(
                        f"document.body && document.body.innerText.includes({token!r})",
                        polling=5,
                    )
                    results["article"].append((time.perf_counter() - before) * 1000)
                css = site / "static/style.css"
                stylesheet = css.read_text(encoding="utf-8")
                page.evaluate("window.__benchMarker = 1")
                for n in range(edits):
                    colour = f"rgb({n + 1}, 2, 3)"
                    time.sleep(0.3)
                    before = time.perf_counter()
                    save_atomically(css, stylesheet + f"\nbody {{ background-color: {colour}; }}\n")
                    page.wait_for_function(
                        f"getComputedStyle(document.body).backgroundColor === {colour!r}",
                        polling=5,
                    )
                    results["css"].append((time.perf_counter() - before) * 1000)
                assert page.evaluate("window.__benchMarker") == 1, "the CSS swap reloaded the page"
                browser.close()
        finally:
            server.stop()
        results["server rebuild"] = rebuilds
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[1000])
    parser.add_argument("--edits", type=int, default=7, help="edits per figure (median)")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args()
    rows = []
    for count in args.articles:
        results = measure(count, args.edits, args.chromium)
        rows.append((count, results))
    print()
    print(
        f"{'articles':>9}  {'save -> new text (ms)':>24}  {'save -> new style (ms)':>24}"
        f"  {'server rebuild (ms)':>20}"
    )
    for count, results in rows:
        cells = []
        for key in ("article", "css", "server rebuild"):
            values = results[key]
            cells.append(f"{statistics.median(values):6.0f} (max {max(values):5.0f})")
        print(f"{count:>9}  {cells[0]:>24}  {cells[1]:>24}  {cells[2]:>20}")
    print(f"medians of {args.edits} edits; python {sys.version.split()[0]}, {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
