"""A seeded synthetic news archive for the benchmark (and for tests that need volume).

Articles look like wire copy: ~600 words in paragraphs, subheadings, lists,
quotes, links, one in five with a code block; 8 sections, ~50 tags, a few dozen
authors, weather and sources. The same seed always gives the same files, so
figures from different machines or commits compare like with like.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

SECTIONS = {
    "bangladesh": "Bangladesh",
    "world": "World",
    "business": "Business",
    "sport": "Sport",
    "technology": "Technology",
    "opinion": "Opinion",
    "health": "Health",
    "culture": "Culture",
}
TAGS = [
    "elections", "parliament", "economy", "inflation", "floods", "monsoon", "cricket",
    "football", "garments", "exports", "energy", "climate", "education", "health-care",
    "dengue", "rohingya", "india", "china", "russia", "ukraine", "middle-east", "united-states",
    "europe", "banking", "stock-market", "budget", "transport", "metro-rail", "padma-bridge",
    "telecom", "startups", "ai", "cyber-security", "courts", "police", "human-rights",
    "migration", "remittance", "agriculture", "rice", "fisheries", "tourism", "film",
    "music", "books", "festivals", "weather", "space", "science", "diplomacy",
]  # fmt: skip
AUTHORS = [f"{first} {last}" for first, last in zip(
    ["Nusrat", "Tanvir", "Farhana", "Rafiq", "Shirin", "Kamal", "Ayesha", "Imran", "Sadia",
     "Arif", "Maya", "Jamal", "Rina", "Hasan", "Lubna", "Omar", "Tania", "Zahid", "Priya", "Amit"],
    ["Rahman", "Hossain", "Akter", "Islam", "Chowdhury", "Ahmed", "Khan", "Sarkar", "Begum",
     "Karim", "Das", "Uddin", "Sultana", "Mahmud", "Haque", "Ali", "Roy", "Alam", "Sen", "Bose"],
    strict=True,
)]  # fmt: skip
SOURCES = ["AFP", "Reuters", "AP", "BSS", "UNB", None, None]
DATELINES = ["DHAKA", "CHATTOGRAM", "SYLHET", "KHULNA", "DELHI", "LONDON", "MOSCOW",
             "WASHINGTON", "BEIJING", "GENEVA", None]  # fmt: skip
CONDITIONS = ["clear sky", "scattered clouds", "light rain", "haze", "thunderstorm", "overcast"]
WORDS = (
    "government minister said officials report week year city people country market "
    "price rise fall plan project bridge road river flood rain farmer crop export factory "
    "worker wage union court judge case police station protest rally vote party leader "
    "council budget tax bank loan rate growth trade port ship cargo power plant grid "
    "school student teacher exam hospital doctor patient vaccine clinic village district "
    "team match series captain coach goal win draw league season record crowd stadium "
    "company share investor profit quarter launch phone network service app data user "
    "climate storm coast cyclone shelter relief aid agency talks deal summit border "
    "according to the a an of in on for with from after before during while since under"
).split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(9, 22))
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))


def _body(rng: random.Random, number: int) -> str:
    blocks: list[str] = []
    words = 0
    code_at = rng.randint(2, 5) if number % 5 == 0 else -1
    while words < 600:
        index = len(blocks)
        if index == code_at:
            blocks.append(
                "```python\n"
                f"def turnout(votes: int, voters: int) -> float:\n"
                f"    # share of {rng.choice(WORDS)} voters who cast a ballot\n"
                "    return round(100 * votes / voters, 1)\n\n"
                f"print(turnout({rng.randint(1000, 9999)}, {rng.randint(10000, 99999)}))\n"
                "```"
            )
            continue
        kind = rng.random()
        if index and kind < 0.12:
            blocks.append("## " + " ".join(rng.choices(WORDS, k=4)).capitalize())
        elif index and kind < 0.22:
            blocks.append("\n".join(f"- {_sentence(rng)}" for _ in range(rng.randint(3, 5))))
        elif index and kind < 0.30:
            blocks.append("> " + _sentence(rng) + " " + _sentence(rng))
        else:
            text = _paragraph(rng)
            if rng.random() < 0.3:
                anchor = " ".join(rng.choices(WORDS, k=2))
                text += f" Read the [{anchor}](https://example.org/{rng.randint(1, 9999)}) report."
            if rng.random() < 0.2:
                text = text.replace(" said ", " **said** ", 1)
            blocks.append(text)
        words += len(blocks[-1].split())
    return "\n\n".join(blocks) + "\n"


def article_text(rng: random.Random, number: int, start: dt.datetime) -> tuple[str, str]:
    """(section, file text) of article `number`; dates run back from `start`."""
    section = rng.choice(list(SECTIONS))
    date = start - dt.timedelta(minutes=37 * number + rng.randint(0, 30))
    title = " ".join(rng.choices(WORDS, k=rng.randint(6, 10))).capitalize() + f" {number}"
    lines = ["---", f"title: {title}", f"date: {date:%Y-%m-%d %H:%M}"]
    lines.append(
        f"weather: {{condition: {rng.choice(CONDITIONS)}, "
        f"high: {rng.randint(24, 36)}, low: {rng.randint(16, 26)}}}"
    )
    source, dateline = rng.choice(SOURCES), rng.choice(DATELINES)
    if source:
        lines.append(f"source: {source}")
    if dateline:
        lines.append(f"dateline: {dateline}")
    lines.append(f"author: {rng.choice(AUTHORS)}")
    lines.append(f"tags: [{', '.join(rng.sample(TAGS, rng.randint(1, 4)))}]")
    lines.append(f"summary: {_sentence(rng)}")
    lines.append("---")
    return section, "\n".join(lines) + "\n\n" + _body(rng, number)


def site_config(sections: dict[str, str] = SECTIONS) -> str:
    names = "\n".join(f'{slug} = "{name}"' for slug, name in sections.items())
    return (
        "[site]\n"
        'title = "The Benchmark Ledger"\n'
        'tagline = "Synthetic news for timing builds"\n'
        'base_url = "https://example.com/"\n'
        'timezone = "Asia/Dhaka"\n'
        "per_page = 10\n\n"
        f"[sections]\n{names}\n"
    )


def generate(root: Path, articles: int, seed: int = 1, theme: Path | None = None) -> Path:
    """Write a whole site (config, theme, `articles` articles) into `root`; return it.

    `theme` is a checkout of Gazette: its packaged theme is copied, then the sample
    site's own templates and static files over it (a checkout from before the theme
    moved into the package has them all at the top)."""
    theme = theme or Path(__file__).resolve().parent.parent
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(site_config(), encoding="utf-8")
    for folder in ("templates", "static"):
        for source in (theme / "gazette" / "theme" / folder, theme / folder):
            if source.is_dir():
                shutil.copytree(source, root / folder, dirs_exist_ok=True)
    rng = random.Random(seed)
    start = dt.datetime(2024, 6, 30, 18, 0)
    for number in range(articles):
        section, text = article_text(rng, number, start)
        path = root / "content" / section / f"story-{number:06d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
