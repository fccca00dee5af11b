"""A paper in several languages: one site model per edition, held in one.

Each edition is built as a site of its own (`site.build_site`) with its own
settings (`edition_config`: its title, language, timezone, and every URL
pattern under its prefix), so its front page, sections, tags, authors,
archives, feeds and sitemaps follow from the code a one-language site uses.
The editions' pages then go into one list, which the engine plans, renders
and publishes as it does any site's. Stories in two editions are each other's
translations when they share `translation_key:`, or else their file's path
inside the edition's folder (`world/x.md` and `bn/world/x.md`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from gazette.errors import GazetteError
from gazette.model import Alternate, Article, Page, Profile, Site
from gazette.stages.assets import front_matter_line
from gazette.stages.config import Config
from gazette.stages.config_editions import edition_of
from gazette.stages.site import build_site
from gazette.stages.strings import catalogue

# The [urls] patterns of listings and pages; feeds follow their listing's folder.
PREFIXED_URLS = (
    "section", "tag", "author", "series", "corrections", "archive", "year", "month", "search",
)  # fmt: skip


def edition_config(config: Config, code: str) -> Config:
    """The settings one edition's pages are made with: the site's, with the edition's
    title, language and timezone, and every URL under its prefix."""
    edition = next(e for e in config.editions if e.code == code)
    prefix = edition.prefix.rstrip("/")
    site = dataclasses.replace(
        config.site,
        title=edition.title or config.site.title,
        tagline=edition.tagline or config.site.tagline,
        description=edition.description or config.site.description,
        language=code,
        timezone=edition.timezone or config.site.timezone,
        permalink=prefix + config.site.permalink,
    )
    urls = dataclasses.replace(
        config.urls, **{name: prefix + getattr(config.urls, name) for name in PREFIXED_URLS}
    )
    words = catalogue(code)
    hijri = dataclasses.replace(
        config.hijri,
        format=edition.hijri_format or words.hijri_format or config.hijri.format,
        month_names=edition.hijri_month_names or words.hijri_months or config.hijri.month_names,
        digits="latin",  # the edition's digits are put in by `localize`, for every number
    )
    publisher = dataclasses.replace(
        config.publisher, name=edition.title or config.publisher.name, language=""
    )
    sections = {**config.sections, **edition.sections}
    return dataclasses.replace(
        config, site=site, urls=urls, hijri=hijri, publisher=publisher, sections=sections,
        edition=code,
    )  # fmt: skip


@functools.lru_cache(maxsize=64)
def language_name(code: str) -> str:
    """A language's name in itself, as a switcher shows it: "বাংলা", "العربية"."""
    from babel import Locale  # loaded only by a site with editions

    name = Locale.parse(code.replace("-", "_")).get_display_name() or code
    return name[:1].upper() + name[1:]


def edition_homes(config: Config) -> list[Alternate]:
    """Every edition's front page, default first: the language switcher's links."""
    return [Alternate(e.code, language_name(e.code), e.prefix.lstrip("/")) for e in config.editions]


def build_editions(
    articles: list[Article],
    config: Config,
    related: list[list[Article]] | None = None,
    documents: list[Article] | None = None,
    profiles: dict[str, Profile] | None = None,
    now: dt.datetime | None = None,
) -> Site:
    """The whole site: `build_site` itself for one language, else each edition's site
    model built alone and their pages put in one list (the root's 404 page last).
    `now`: the build's clock (see `build_site`)."""
    if not config.editions:
        return build_site(articles, config, related, documents, profiles, now)
    at = {id(article): number for number, article in enumerate(articles)}
    parts: dict[str, Site] = {}
    for edition in config.editions:
        mine = [a for a in articles if a.edition == edition.code]
        theirs = None if related is None else [related[at[id(a)]] for a in mine]
        docs = [d for d in documents or [] if d.edition == edition.code]
        settings = edition_config(config, edition.code)
        part = build_site(mine, settings, theirs, docs, profiles, now, len(articles))
        for page in part.pages:
            page.edition = edition.code
        parts[edition.code] = part
    site = _together(articles, parts)
    _link_translations(site, config)
    return site


def _together(articles: list[Article], parts: dict[str, Site]) -> Site:
    every = list(parts.values())
    rows = {
        id(a): row
        for part in parts.values()
        for a, row in zip(part.articles, part.related, strict=True)
    }
    pages = [page for part in parts.values() for page in part.pages]
    pages.sort(key=lambda page: page.url == "404.html")  # stable: only the 404 page moves
    site = Site(
        articles,
        [s for part in every for s in part.sections],
        [t for part in every for t in part.tags],
        [a for part in every for a in part.authors],
        [y for part in every for y in part.years],
        [m for part in every for m in part.months],
        pages,
        [rows[id(a)] for a in articles],
        [d for part in every for d in part.documents],
        [s for part in every for s in part.series],
    )
    site.breaking = sorted(
        (a for part in every for a in part.breaking), key=lambda a: a.date, reverse=True
    )
    site.editions = parts
    return site


def _link_translations(site: Site, config: Config) -> None:
    """Give each story's page its translations (itself among them, in the editions'
    order) and each front page the others; a `translation_key:` no story of another
    edition shares is an error, as is one key on two stories of one edition."""
    order = {e.code: n for n, e in enumerate(config.editions)}
    groups: dict[str, list[Article]] = {}
    for article in site.articles:
        groups.setdefault(translation_key(article, config), []).append(article)
    errors = []
    for key, group in groups.items():
        group.sort(key=lambda a: order[a.edition])
        codes = [a.edition for a in group]
        for article in group:
            if codes.count(article.edition) > 1:
                other = next(a for a in group if a.edition == article.edition and a is not article)
                message = f"'{key}' is also content/{other.path}'s, in the same edition"
                errors.append(_key_error(config, article, message, "give each story its own"))
            elif len(group) == 1 and article.translation_key:
                message = f"'{key}' is no other edition's story's"
                hint = "write the same translation_key: in each translation, or remove it"
                errors.append(_key_error(config, article, message, hint))
    if errors:
        raise GazetteError.collect(errors)
    for page in site.pages:
        article = page.context.get("article")
        if isinstance(article, Article) and article.kind == "article":
            group = groups[translation_key(article, config)]
            page.context["translations"] = group if len(group) > 1 else []
        elif page.template == "home.html":
            page.context["translations"] = edition_homes(config)


def _key_error(config: Config, article: Article, message: str, hint: str) -> GazetteError:
    line = front_matter_line(config, article, "translation_key")
    shown = f"content/{article.path}"
    return GazetteError(f"translation_key {message}", file=shown, line=line, hint=hint)


def translation_key(article: Article, config: Config) -> str:
    """What a story shares with its translations: `translation_key:`, else its file's
    path inside its edition's folder, without the extension."""
    if article.translation_key:
        return article.translation_key
    return edition_of(article.path, config.editions)[1].rsplit(".", 1)[0]


def page_settings(config: Config, page: Page) -> Config:
    """The settings a page was made with: its edition's, or the site's."""
    return edition_config(config, page.edition) if page.edition else config
