"""`build.py new`: a new article file with its front matter filled in."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from gazette.errors import GazetteError
from gazette.hijri import HijriRangeError, to_hijri
from gazette.slugs import make_slug
from gazette.stages.config import Config


def new_article(config: Config, title: str, section: str, now: dt.datetime) -> Path:
    """Write content/<section>/<slug>.md and return its path; never overwrite a file."""
    section_slug = make_slug(section, config.content.slugs)
    if not section_slug:
        raise GazetteError(
            f"'{section}' is not usable as a section name",
            hint="use letters or digits, e.g. --section world",
        )
    if config.sections and section_slug not in config.sections:
        raise GazetteError(
            f"unknown section '{section_slug}'",
            file=config.path,
            hint="use one of " + ", ".join(config.sections),
        )
    slug = make_slug(title, config.content.slugs) or "article"
    path = config.content_dir / section_slug / f"{slug}.md"
    if path.exists():
        raise GazetteError(
            "an article with this headline already exists",
            file=path,
            hint="choose another headline or edit that file",
        )
    try:
        hijri = to_hijri(now.date(), config.hijri).iso()
    except HijriRangeError as exc:
        raise GazetteError(f"cannot compute today's Hijri date: {exc}") from None
    meta = {
        "title": title,
        "date": now.replace(microsecond=0).isoformat(),
        "hijri": hijri,
        "weather": {"condition": "", "high": None, "low": None},
        "source": "",
        "dateline": "",
        "tags": [],
        "draft": True,
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front}---\n\nWrite the story here.\n", encoding="utf-8")
    return path
