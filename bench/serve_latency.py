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

SECTIONS = ["bangladesh", "world", "business", "sport", "technology"]
WORDS = (
    "minister council harbour river budget election court market farmers port monsoon "
    "ferry bridge garment export rail school hospital police talks summit league cricket "
    "match season striker bowler startup network phone satellite research vaccine museum "
    "festival novel theatre rice fish price inflation bank loan power grid solar flood"
).split()


def write_corpus(site: Path, count: int, seed: int = 3) -> list[Path]:
    """A small but realistic site: config, templates and static from the sample, N articles."""
    rng = random.Random(seed)
    for folder in ("templates", "static"):
        shutil.copytree(ROOT / folder, site / folder)
    shutil.copy(ROOT / "config.toml", site / "config.toml")
    tags = [f"topic-{n}" for n in range(50)]
    authors = [f"Reporter {n}" for n in range(30)]
    paths = []
    for n in range(count):
        section = SECTIONS[n % len(SECTIONS)]
        day = 1 + (n * 7) % 28
        month = 1 + (n // 28) % 12
        year = 2015 + (n // 336) % 9
        paragraphs = []
        for p in range(8):
            sentence = " ".join(rng.choice(WORDS) for _ in range(70))
            paragraphs.append(("## Background\n\n" if p == 4 else "") + sentence.capitalize() + ".")
        path = site / "content" / section / f"story-{n:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "---\n"
            f"slug: story-{n:05d}\n"
            f"title: Story number {n} about {rng.choice(WORDS)}\n"
            f"date: {year:04d}-{month:02d}-{day:02d} {n % 24:02d}:{n % 60:02d}\n"
            f"tags: [{', '.join(rng.sample(tags, 3))}]\n"
            f"author: {rng.choice(authors)}\n"
            "source: Staff\n"
            "weather: {condition: haze, high: 31, low: 25}\n"
            "---\n\n" + "\n\n".join(paragraphs) + "\n",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


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

    from gazette.serve import LiveServer

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
                url = server.url + article.parent.name + "/" + article.stem + "/"
                page.goto(url)
                assert "Story number" in page.title(), page.title()
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


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
