#!/usr/bin/env python3
"""What feeds, sitemaps and page metadata cost a build.

Run: `python bench/syndication.py --articles 10000`.

Every build, even of one edited article, remakes the machine files from the
whole site model, so their cost adds to every rebuild. This times them alone,
in process, on the seeded corpus of bench/corpus.py (best of --runs runs, as
the machine is shared):

- syndicate: all feeds, sitemap.xml (or its index and parts), news-sitemap.xml,
  robots.txt, and attaching `meta` to every page;
- meta: computing every page's canonical URL, Open Graph, Twitter and JSON-LD,
  as rendering all pages does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402

from gazette.machine.files import annotate_pages, machine_files  # noqa: E402
from gazette.stages.assets import collect_assets  # noqa: E402
from gazette.stages.config import load_config  # noqa: E402
from gazette.stages.content import load_articles  # noqa: E402
from gazette.stages.markup import render_articles  # noqa: E402
from gazette.stages.site import build_site, select_articles  # noqa: E402


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = corpus.generate(Path(folder) / "site", args.articles, theme=ROOT)
        config = load_config(root / "config.toml")
        articles = load_articles(config)
        now = max(a.date for a in articles)
        site = build_site(
            render_articles(select_articles(articles, include_drafts=False, now=now)), config
        )
        assets = collect_assets(config.static_dirs, config.content_dir)

        def syndicate() -> list:
            annotate_pages(site, config, assets)
            return machine_files(site, config, assets, None)

        files = syndicate()

        def all_meta() -> None:
            syndicate()  # fresh, not yet computed `meta`
            for page in site.pages:
                meta = page.context["meta"]
                _ = (meta.canonical, meta.open_graph, meta.twitter, meta.json_ld)

        whole = best_of(args.runs, syndicate)
        with_meta = best_of(args.runs, all_meta)
        size = sum(len(f.data) for f in files) / 1e6
        print(f"{len(site.articles)} articles, {len(site.pages)} pages")
        print(f"syndicate: {whole:.3f} s ({len(files)} files, {size:.1f} MB)")
        print(f"meta of every page: {with_meta - whole:.3f} s")


if __name__ == "__main__":
    main()
