"""Edit -> browser latency of `build.py serve`, measured with a real Chromium.

Generates a seeded site of N articles in a temporary folder, starts the preview
server in this process, opens one article page in Chromium, then saves edits
the way editors do (write a temporary file, rename it over the article) and
times how long until the new text is in the page. Also times a stylesheet save
until the new style is applied without a reload.

    python bench/serve_latency.py --articles 1000 --edits 7
"""

from __future__ import annotations

import random
import shutil
import sys
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
