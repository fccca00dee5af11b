"""Feeds, sitemaps, robots.txt and page metadata for a built site model, in one call.

Runs after the site model and before rendering: it attaches `meta` to every
page for the templates, and returns the machine files, which come from code
alone and so stay valid whatever the templates do.
"""

from __future__ import annotations

import datetime as dt

from gazette.assets import Assets, OutputFile
from gazette.config import Config
from gazette.feeds import feed_files
from gazette.model import Site
from gazette.sitemaps import (
    NEWS_SITEMAP,
    ROBOTS,
    news_articles,
    news_sitemap,
    robots_txt,
    sitemap_entries,
    sitemap_files,
)
from gazette.structured import annotate, resolve_publisher
from gazette.syndication import feed_specs, id_authority, xml_bytes


def syndicate(
    site: Site, config: Config, assets: Assets, reference: dt.datetime | None
) -> list[OutputFile]:
    """`reference` pins the news window's end (SOURCE_DATE_EPOCH); None: the newest article."""
    publisher = resolve_publisher(config, assets)
    specs = feed_specs(site, config)
    annotate(site, config, publisher, specs)
    files = list(feed_files(site, specs, config, id_authority(site, config)))
    files += sitemap_files(sitemap_entries(site, config), config)
    news = news_sitemap(news_articles(site.articles, reference), config)
    files.append(OutputFile(NEWS_SITEMAP, xml_bytes(news)))
    if ROBOTS not in assets.content_files:  # a site's own robots.txt wins
        files.append(OutputFile(ROBOTS, robots_txt(config).encode("utf-8")))
    return files
