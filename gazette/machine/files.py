"""Feeds, sitemaps, robots.txt and page metadata for a built site model, in one call.

Runs after the site model and before rendering: it attaches `meta` to every
page for the templates, and returns the machine files, which come from code
alone and so stay valid whatever the templates do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from gazette.machine.common import feed_specs, id_authority, xml_bytes
from gazette.machine.feeds import feed_files
from gazette.machine.live_feed import live_feed
from gazette.machine.redirects import REDIRECTS, redirect_files, site_aliases
from gazette.machine.sitemaps import (
    NEWS_SITEMAP,
    ROBOTS,
    SITEMAP,
    news_articles,
    news_sitemap,
    robots_txt,
    sitemap_entries,
    sitemap_files,
)
from gazette.machine.structured import annotate, resolve_publisher
from gazette.model import Article, Page, Site
from gazette.stages.assets import Assets, OutputFile
from gazette.stages.config import Config

TextLoader = Callable[[list[Article]], list[Article]]


def annotate_pages(
    site: Site, config: Config, assets: Assets, pages: list[Page] | None = None
) -> None:
    """Give `pages` (default: all) their `meta`: an incremental build annotates only the
    pages it renders."""
    shown = site if pages is None else dataclasses.replace(site, pages=pages)
    annotate(shown, config, resolve_publisher(config, assets), feed_specs(site, config))


def machine_paths(site: Site, config: Config) -> list[tuple[str, str | None, str]]:
    """Where `machine_files` writes (robots.txt and _redirects aside: a site's own wins),
    each with the file to name and what it is, so that a content file or a page on one
    of them is found before anything is made."""
    paths = [path for spec in feed_specs(site, config) for path in (spec.atom_url, spec.rss_url)]
    found = [(path, None, f"the feed or sitemap '{path}'") for path in paths]
    found += [(path, None, f"the sitemap '{path}'") for path in (SITEMAP, NEWS_SITEMAP)]
    for article in site.articles:
        if article.live:
            what = f"the live updates feed of 'content/{article.path}'"
            found.append((article.updates_feed, None, what))
    for alias in site_aliases(site):
        if alias.file is not None:
            source = f"content/{alias.target.path}"
            found.append((alias.file, source, f"the alias '/{alias.url}' of '{source}'"))
    return found


def machine_files(
    site: Site,
    config: Config,
    assets: Assets,
    reference: dt.datetime | None,
    with_text: TextLoader | None = None,
    sitemap: bool = True,
) -> list[OutputFile]:
    """Feeds, sitemaps and robots.txt. `reference` pins the news window's end
    (SOURCE_DATE_EPOCH); None: the newest article. `with_text` gives articles their HTML
    back, for full-content feeds, when the site model holds them without it (as big
    builds do). `sitemap=False` leaves sitemap.xml out, for a caller that knows it is
    unchanged (it lists every page of the site)."""
    specs = feed_specs(site, config)
    if with_text is not None and config.feeds.full_content:
        specs = [dataclasses.replace(spec, articles=with_text(spec.articles)) for spec in specs]
    authority = id_authority(site, config)
    files = list(feed_files(site, specs, config, authority))
    live = [article for article in site.articles if article.live]
    if live and with_text is not None:
        live = with_text(live)
    files += [live_feed(article, config, authority) for article in live]
    if sitemap:
        files += sitemap_files(sitemap_entries(site, config), config)
    news = news_sitemap(news_articles(site.articles, reference), config)
    files.append(OutputFile(NEWS_SITEMAP, xml_bytes(news)))
    if ROBOTS not in assets.content_files:  # a site's own robots.txt wins
        files.append(OutputFile(ROBOTS, robots_txt(config).encode("utf-8")))
    redirects = redirect_files(site, config)
    files += [f for f in redirects if f.path != REDIRECTS or f.path not in assets.content_files]
    return files
