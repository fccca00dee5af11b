"""The Atom feed of one live story's updates, beside its page (`<story url>updates.xml`).

A reader that follows a live story is told of each update as its own entry, with
the update's anchor on the page as its link; made in code from the article's
HTML (as `stages.live` lays it out), like every other machine file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from gazette.machine.common import (
    ATOM_NS,
    absolute,
    absolute_html,
    sub,
    tag_uri,
    timestamp,
    update_headline,
    xml_bytes,
)
from gazette.machine.feeds import GENERATOR, publisher_name
from gazette.model import Article
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config
from gazette.stages.live import update_sections


def live_feed(article: Article, config: Config, authority: str) -> OutputFile:
    """`article` must carry its HTML (the updates' text is cut from it)."""
    url = absolute(config, article.url)
    feed = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": config.site.language})
    sub(feed, "id", tag_uri(authority, f"live:{article.url}"))
    sub(feed, "title", f"{article.title}: live updates")
    feed_url = absolute(config, article.updates_feed)
    sub(feed, "link", rel="self", type="application/atom+xml", href=feed_url)
    sub(feed, "link", rel="alternate", type="text/html", href=url)
    newest = article.live_updates[0].time if article.live_updates else article.date
    sub(feed, "updated", timestamp(newest or article.modified))  # type: ignore[arg-type]
    author = sub(feed, "author")
    names = article.authors or (publisher_name(config),)
    sub(author, "name", ", ".join(names))
    sub(feed, "generator", GENERATOR)
    for update, html in update_sections(article):
        entry = sub(feed, "entry")
        sub(entry, "id", tag_uri(authority, f"{article.url}#{update.anchor}"))
        sub(entry, "title", update_headline(update, html), type="text")
        sub(entry, "link", rel="alternate", type="text/html", href=f"{url}#{update.anchor}")
        sub(entry, "published", timestamp(update.time))
        sub(entry, "updated", timestamp(update.time))
        sub(entry, "content", absolute_html(html, url), type="html")
    return OutputFile(article.updates_feed, xml_bytes(feed))
