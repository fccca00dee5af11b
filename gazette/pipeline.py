"""The whole build, top to bottom: config → content → markup → site → render → output.

Every user error is raised before `output/` is touched (content, URLs, images)
or while the new site is still in its staging folder (templates), so a failed
build leaves the published site as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

from gazette.builder import Builder, BuildResult
from gazette.errors import GazetteError
from gazette.machine.files import syndicate
from gazette.model import Article, Site
from gazette.stages.assets import Assets, OutputFile
from gazette.stages.config import Config
from gazette.stages.render import render_site

__all__ = ["BuildResult", "Builder", "build", "build_now", "output_files"]


def build_now(tz: dt.tzinfo) -> dt.datetime:
    """'Now' for choosing published articles; SOURCE_DATE_EPOCH pins it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz)
        except ValueError:
            raise GazetteError(
                f"SOURCE_DATE_EPOCH is not a whole number of seconds: {epoch!r}",
                hint="unset it or set it to a Unix time such as 1695427200",
            ) from None
    return dt.datetime.now(tz)


def source_date_epoch(tz: dt.tzinfo) -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a time when set: what the news sitemap's window ends at."""
    return build_now(tz) if os.environ.get("SOURCE_DATE_EPOCH") else None


def check_output_dir(output_dir: Path, config: Config) -> None:
    """Refuse an output folder whose replacement would destroy sources or the system."""
    out = output_dir.resolve()
    protected = {
        "the site folder": config.root.resolve(),
        "content/": config.content_dir.resolve(),
        "templates/": config.templates_dir.resolve(),
        "static/": config.static_dir.resolve(),
        "your home folder": Path.home().resolve(),
        "/": Path("/").resolve(),
    }
    for name, path in protected.items():
        if out == path or out in path.parents:
            raise GazetteError(
                f"refusing to use {output_dir} as the output folder: it is or contains {name}",
                hint="the build replaces the output folder whole; choose a folder of its own, "
                "such as output/",
            )
    if out.exists() and not out.is_dir():
        raise GazetteError(
            f"refusing to use {output_dir} as the output folder: it is a file",
            hint="choose a folder, such as output/",
        )
    if out.is_dir() and not (out / "index.html").exists() and any(out.iterdir()):
        # Not a site Gazette built (every build has a home page): /usr, a photo archive...
        raise GazetteError(
            f"refusing to use {output_dir} as the output folder: it holds files and no "
            "site built by Gazette",
            hint="the build replaces the output folder whole; empty it or choose another",
        )


def check_images(articles: list[Article], content_files: set[str], config: Config) -> None:
    errors = image_problems(articles, content_files, config)
    if errors:
        raise GazetteError.collect(errors)


def image_problems(
    articles: list[Article], content_files: set[str], config: Config
) -> list[GazetteError]:
    """An error for each article whose `image:` names a file that is not in content/."""
    errors = []
    for article in articles:
        image = article.image
        if image and "://" not in image and image not in content_files:
            errors.append(
                GazetteError(
                    f"image '{image}' does not exist",
                    file=f"content/{article.path}",
                    line=_front_matter_line(config, article, "image"),
                    hint="put the image file beside the article (or under content/) "
                    "and check the name",
                )
            )
    return errors


def _front_matter_line(config: Config, article: Article, key: str) -> int | None:
    path = config.content_dir / article.path
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        if line.startswith(f"{key}:"):
            return number
    return None


def machine_files(site: Site, config: Config, assets: Assets) -> list[OutputFile]:
    """Feeds, sitemaps, robots.txt; also gives every page its `meta` (so call it before
    rendering). Made whole on every build from the site model."""
    return syndicate(site, config, assets, source_date_epoch(config.tz))


def output_files(site: Site, config: Config, assets: Assets) -> Iterator[OutputFile]:
    """Every file a build writes, in order; `check` walks this same list."""
    machine = machine_files(site, config, assets)
    return itertools.chain(assets.files, render_site(site, config, assets), machine)


def build(
    config: Config,
    output_dir: Path,
    *,
    include_drafts: bool = False,
    now: dt.datetime | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """One clean build: config -> content -> markup -> site -> render -> output.

    The stages run in `gazette.builder.Builder`, which the command line and the
    preview keep alive to rebuild only what changed."""
    return Builder(config, output_dir, include_drafts=include_drafts, now=now, jobs=jobs).build()
