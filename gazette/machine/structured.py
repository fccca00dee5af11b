"""What search engines and social sites read from a page's <head>, as plain data.

`PageMeta` gives templates the canonical URL, feed links, Open Graph and
Twitter tags and a NewsArticle JSON-LD string; templates only print them
(see templates/meta.html). Values are computed on first use, so a site of tens
of thousands of pages pays only for what its templates show.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from markupsafe import Markup

from gazette.errors import GazetteError
from gazette.machine.common import (
    NOT_INDEXED,
    FeedSpec,
    absolute,
    excerpt,
    timestamp,
    update_headline,
)
from gazette.model import Article, Page, Site, Term
from gazette.stages.assets import RASTER, Assets
from gazette.stages.config import Config, key_line
from gazette.stages.live import update_sections
from gazette.stages.markup import plain_text
from gazette.stages.pictures import CARD_SIZE, card_path
from gazette.stages.story_fields import TYPES

# Inside <script> a JSON string must not end the element or open a comment;
# these escapes keep every character's meaning for a JSON parser.
_SCRIPT_SAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(data: Any) -> Markup:
    """JSON that is inert inside <script>, whatever its strings hold ('</script>' too)."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in _SCRIPT_SAFE:
        if char in text:
            text = text.replace(char, escaped)
    return Markup(text)


@dataclass(frozen=True)
class Publisher:
    name: str
    logo: str | None  # absolute URL

    def json_ld(self) -> dict[str, Any]:
        data: dict[str, Any] = {"@type": "Organization", "name": self.name}
        if self.logo:
            data["logo"] = {"@type": "ImageObject", "url": self.logo}
        return data


def resolve_publisher(config: Config, assets: Assets) -> Publisher:
    """The publisher from config; a logo that is not in static/ or content/ is an error."""
    logo = config.publisher.logo
    url: str | None = None
    if re.match(r"^https?://", logo):
        url = logo
    elif logo:
        name = logo.lstrip("/").removeprefix("static/")
        if name in assets.urls:
            url = absolute(config, assets.urls[name])
        elif logo.lstrip("/") in assets.content_files:
            url = absolute(config, logo.lstrip("/"))
        else:
            raise GazetteError(
                f"publisher logo '{logo}' is not a file in static/ or content/",
                file=config.path or "config.toml",
                line=_config_line(config, "publisher.logo"),
                hint='put the image in static/ and write its name, e.g. logo = "logo.png", '
                "or give an absolute https:// URL",
            )
    return Publisher(config.publisher.name or config.site.title, url)


def _config_line(config: Config, key_path: str) -> int | None:
    if config.path is None or not config.path.is_file():
        return None
    return key_line(config.path.read_text(encoding="utf-8"), key_path)


@dataclass
class PageMeta:
    """The <head> data of one page; `feeds` are its alternate feeds, site feed first."""

    page: Page
    config: Config
    publisher: Publisher
    feeds: list[FeedSpec]

    @property
    def article(self) -> Article | None:
        """The story a page shows; None on listings and on pages (About, Privacy)."""
        article = self.page.context.get("article")
        return article if isinstance(article, Article) and article.kind == "article" else None

    @cached_property
    def canonical(self) -> str | None:
        return None if self.page.url in NOT_INDEXED else absolute(self.config, self.page.url)

    @cached_property
    def alternates(self) -> list[tuple[str, str]]:
        """hreflang links to this page in every edition that has it (itself too), and
        `x-default` to the first of them, the default edition's when it has one."""
        found = self.page.context.get("translations") or []
        links = [(t.edition, absolute(self.config, t.url)) for t in found]
        return [*links, ("x-default", links[0][1])] if links else []

    @cached_property
    def description(self) -> str:
        site = self.config.site
        if self.article is not None:
            return excerpt(self.article)
        return site.description or site.tagline or site.title

    @cached_property
    def image(self) -> str | None:
        """The article's own image, absolute (its social card, for a photo of content/);
        never the 'No Image' placeholder."""
        if self.article is None or not self.article.image:
            return None
        if self.card is not None:
            return absolute(self.config, self.card)
        return absolute(self.config, self.article.image)

    @cached_property
    def card(self) -> str | None:
        """The 1200x630 crop gazette.images makes of an article's photo in content/."""
        image = self.article.image if self.article is not None else None
        if not image or "://" in image or Path(image).suffix.lower() not in RASTER:
            return None
        return card_path(image, self.article.image_focus)  # type: ignore[union-attr]

    def _image_object(self) -> dict[str, Any]:
        """schema.org ImageObject: the card (or the image), with its caption and credit."""
        article = self.article
        assert article is not None and self.image is not None
        data: dict[str, Any] = {"@type": "ImageObject", "url": self.image}
        if self.card is not None:
            data["width"], data["height"] = CARD_SIZE
        if article.caption:
            data["caption"] = article.caption
        if article.image_credit:
            data["creditText"] = article.image_credit
            holder = re.sub(
                r"^(photo|photograph|image|picture)s?\s*:\s*", "", article.image_credit, flags=re.I
            )
            data["copyrightHolder"] = {"@type": "Organization", "name": holder}
        return data

    @cached_property
    def open_graph(self) -> list[tuple[str, str]]:
        """(property, content) pairs, in the order Open Graph documents them."""
        tags = [
            ("og:type", "article" if self.article else "website"),
            ("og:title", self.page.title),
            ("og:description", self.description),
            ("og:site_name", self.config.site.title),
        ]
        if self.canonical:
            tags.append(("og:url", self.canonical))
        article = self.article
        if article is None:
            return tags
        if self.image:
            tags.append(("og:image", self.image))
            if self.card is not None:
                tags.append(("og:image:width", str(CARD_SIZE[0])))
                tags.append(("og:image:height", str(CARD_SIZE[1])))
            tags.append(("og:image:alt", article.image_alt or article.title))
        tags.append(("article:published_time", timestamp(article.date)))
        tags.append(("article:modified_time", timestamp(article.modified)))
        section = self.page.context.get("section")
        if isinstance(section, Term):
            tags.append(("article:section", section.name))
        for author in self._authors():
            tags.append(("article:author", absolute(self.config, author.url)))
        tags += [("article:tag", tag) for tag in article.tags]
        return tags

    def _authors(self) -> list[Term]:
        authors = self.page.context.get("authors")
        return [t for t in authors if isinstance(t, Term)] if isinstance(authors, list) else []

    def _person(self, term: Term) -> dict[str, Any]:
        """A byline as schema.org's Person: its author page, and from the authors data
        file the pages elsewhere that say who it is (`sameAs`)."""
        person: dict[str, Any] = {
            "@type": "Person",
            "name": term.name,
            "url": absolute(self.config, term.url),
        }
        profile = term.profile
        if profile is not None:
            if profile.role:
                person["jobTitle"] = profile.role
            if profile.photo:
                person["image"] = absolute(self.config, profile.photo)
            if profile.same_as:
                person["sameAs"] = profile.same_as
        return person

    @cached_property
    def twitter(self) -> list[tuple[str, str]]:
        tags = [("twitter:card", "summary_large_image" if self.image else "summary")]
        if self.config.publisher.twitter:
            tags.append(("twitter:site", self.config.publisher.twitter))
        tags.append(("twitter:title", self.page.title))
        tags.append(("twitter:description", self.description))
        if self.image and self.article is not None:
            tags.append(("twitter:image", self.image))
            tags.append(("twitter:image:alt", self.article.image_alt or self.article.title))
        return tags

    @cached_property
    def json_ld(self) -> Markup | None:
        """schema.org NewsArticle for article pages; None elsewhere."""
        article = self.article
        if article is None or self.canonical is None:
            return None
        kind = TYPES.get(article.type, TYPES["news"])
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": kind.schema,
            "mainEntityOfPage": {"@type": "WebPage", "@id": self.canonical},
            "url": self.canonical,
            "headline": article.title,
            "description": self.description,
            "datePublished": timestamp(article.date),
            "dateModified": timestamp(article.modified),
            "inLanguage": self.config.site.language,
        }
        if kind.genre:
            data["genre"] = kind.genre
        if self.image:
            data["image"] = [self._image_object()]
        authors = self._authors()
        if authors:
            data["author"] = [self._person(term) for term in authors]
        else:
            data["author"] = [self.publisher.json_ld()]
        data["publisher"] = self.publisher.json_ld()
        section = self.page.context.get("section")
        if isinstance(section, Term):
            data["articleSection"] = section.name
        if article.tags:
            data["keywords"] = list(article.tags)
        self._story_parts(article, data)
        if article.live:
            self._live_parts(article, data)
        return script_json(data)

    def _live_parts(self, article: Article, data: dict[str, Any]) -> None:
        """A live story is a LiveBlogPosting: its coverage's times and every update as a
        BlogPosting, newest first (their text from the page's article, which has it)."""
        data["@type"] = "LiveBlogPosting"
        data["coverageStartTime"] = timestamp(article.date)
        if article.live_until is not None:
            data["coverageEndTime"] = timestamp(article.live_until)
        data["liveBlogUpdate"] = [
            {
                "@type": "BlogPosting",
                "headline": update_headline(update, html),
                "datePublished": timestamp(update.time),
                "url": f"{self.canonical}#{update.anchor}",
                "articleBody": plain_text(html),
            }
            for update, html in update_sections(article)
        ]

    def _story_parts(self, article: Article, data: dict[str, Any]) -> None:
        """The series the story is a part of, and its corrections, newest first."""
        series = self.page.context.get("series")
        if isinstance(series, Term):
            data["isPartOf"] = {
                "@type": "CreativeWorkSeries",
                "name": series.name,
                "url": absolute(self.config, series.url),
            }
        if article.corrections:
            data["correction"] = [
                {"@type": "CorrectionComment", "text": n.text, "datePublished": timestamp(n.date)}
                for n in reversed(article.corrections)
            ]


def annotate(site: Site, config: Config, publisher: Publisher, specs: list[FeedSpec]) -> None:
    """Give every page its `meta` (templates/meta.html prints it)."""
    by_url = {spec.page_url: spec for spec in specs if spec.term is not None}
    site_feeds = [spec for spec in specs if spec.term is None]
    for page in site.pages:
        feeds = list(site_feeds)
        for name in ("term", "section"):
            term = page.context.get(name)
            if isinstance(term, Term) and term.url in by_url:
                feeds.append(by_url[term.url])
                break
        page.context["meta"] = PageMeta(page, config, publisher, feeds)
