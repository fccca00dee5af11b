"""Feeds, sitemaps, robots.txt and page metadata for a built site model, in one call.

Runs after the site model and before rendering: it attaches `meta` to every
page for the templates, and returns the machine files, which come from code
alone and so stay valid whatever the templates do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Container

from gazette.digest import digest
from gazette.machine.common import FeedSpec, feed_specs, id_authority, xml_bytes
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
from gazette.machine.structured import Publisher, annotate, resolve_publisher
from gazette.model import Article, Page, Site
from gazette.stages.assets import Assets, OutputFile
from gazette.stages.config import Config
from gazette.stages.editions import edition_config
from gazette.stages.site import home_url

TextLoader = Callable[[list[Article]], list[Article]]


def editions(site: Site, config: Config) -> list[tuple[Site, Config]]:
    """Each edition's site model with its settings; the site itself without editions."""
    if not site.editions:
        return [(site, config)]
    return [(part, edition_config(config, code)) for code, part in site.editions.items()]


# each edition's site model and settings, with its publisher and feeds (see annotate_pages)
Annotation = list[tuple[Site, Config, Publisher, list[FeedSpec]]]


def annotation(site: Site, config: Config, assets: Assets) -> Annotation:
    """What `annotate_pages` needs, made once for a snapshot: the preview annotates
    the pages a browser asks for one by one."""
    return [
        (part, settings, resolve_publisher(settings, assets), feed_specs(part, settings))
        for part, settings in editions(site, config)
    ]


def annotate_pages(meta: Annotation, pages: list[Page]) -> None:
    """Give `pages` their `meta` (Open Graph, JSON-LD...), each with its edition's
    settings and feeds: an incremental build annotates only the pages it renders."""
    for part, settings, publisher, specs in meta:
        mine = [page for page in pages if page.edition == settings.edition]
        annotate(dataclasses.replace(part, pages=mine), settings, publisher, specs)


def machine_paths(site: Site, config: Config) -> list[tuple[str, str | None, str]]:
    """Where `machine_files` writes (robots.txt and _redirects aside: a site's own wins),
    each with the file to name and what it is, so that a content file or a page on one
    of them is found before anything is made."""
    found: list[tuple[str, str | None, str]] = []
    for part, settings in editions(site, config):
        specs = feed_specs(part, settings)
        paths = [path for spec in specs for path in (spec.atom_url, spec.rss_url)]
        found += [(path, None, f"the feed or sitemap '{path}'") for path in paths]
        folder = home_url(settings)
        sitemaps = (folder + SITEMAP, folder + NEWS_SITEMAP)
        found += [(path, None, f"the sitemap '{path}'") for path in sitemaps]
    for article in site.articles:
        if article.live:
            what = f"the live updates feed of 'content/{article.path}'"
            found.append((article.updates_feed, None, what))
    for alias in site_aliases(site):
        if alias.file is not None:
            source = f"content/{alias.target.path}"
            found.append((alias.file, source, f"the alias '/{alias.url}' of '{source}'"))
    return found


def feed_keys(
    site: Site, config: Config, shape: str, identity: Callable[[str], str]
) -> dict[str, str]:
    """Each feed's path with a digest of what it is made from: the site's `shape` (its
    settings and structure), and each entry's `identity` (its file and photos, by
    path), URL and bylines' links. An edit to one story changes the feeds that carry it."""
    found = {}
    for part, settings in editions(site, config):
        for spec in feed_specs(part, settings):
            entries = [
                f"{a.path}\x1f{identity(a.path)}\x1f{a.url}\x1f{' '.join(a.author_urls)}"
                for a in spec.articles
            ]
            made_of = digest(shape, spec.title, spec.page_url, *entries)
            found[spec.atom_url] = digest(made_of, spec.atom_url)
            found[spec.rss_url] = digest(made_of, spec.rss_url)
    return found


def machine_files(
    site: Site,
    config: Config,
    assets: Assets,
    reference: dt.datetime | None,
    with_text: TextLoader | None = None,
    sitemap: bool = True,
    unchanged_feeds: Container[str] = frozenset(),
) -> list[OutputFile]:
    """Feeds, sitemaps and robots.txt. `reference` pins the news window's end
    (SOURCE_DATE_EPOCH); None: the newest article. `with_text` gives articles their HTML
    back, for full-content feeds, when the site model holds them without it (as big
    builds do). `sitemap=False` leaves sitemap.xml out, and `unchanged_feeds` those
    feeds, for a caller that knows they are as it holds them."""
    files: list[OutputFile] = []
    folders = []
    for part, settings in editions(site, config):
        specs = [
            spec
            for spec in feed_specs(part, settings)
            if spec.atom_url not in unchanged_feeds or spec.rss_url not in unchanged_feeds
        ]
        if with_text is not None and config.feeds.full_content:
            specs = [dataclasses.replace(s, articles=with_text(s.articles)) for s in specs]
        authority = id_authority(part, settings)
        made = feed_files(part, specs, settings, authority)
        files += [file for file in made if file.path not in unchanged_feeds]
        live = [article for article in part.articles if article.live]
        if live and with_text is not None:
            live = with_text(live)
        files += [live_feed(article, settings, authority) for article in live]
        folder = home_url(settings)
        folders.append(folder)
        if sitemap:
            files += sitemap_files(sitemap_entries(part, settings), settings, folder)
        news = news_sitemap(news_articles(part.articles, reference), settings)
        files.append(OutputFile(folder + NEWS_SITEMAP, xml_bytes(news)))
    if ROBOTS not in assets.content_files:  # a site's own robots.txt wins
        files.append(OutputFile(ROBOTS, robots_txt(config, folders).encode("utf-8")))
    redirects = redirect_files(site, config)
    files += [f for f in redirects if f.path != REDIRECTS or f.path not in assets.content_files]
    return files
