"""The tables of `config.toml`, one frozen dataclass each: their keys, types and
defaults are the settings' whole schema (`config` reads the file against them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

ENGLISH_HIJRI_MONTHS = (
    "Muharram",
    "Safar",
    "Rabi' al-awwal",
    "Rabi' al-thani",
    "Jumada al-awwal",
    "Jumada al-thani",
    "Rajab",
    "Sha'ban",
    "Ramadan",
    "Shawwal",
    "Dhu al-Qa'dah",
    "Dhu al-Hijjah",
)


@dataclass(frozen=True)
class SiteConfig:
    title: str = "Gazette"
    tagline: str = ""
    base_url: str = "https://example.com/"
    language: str = "en"
    timezone: str = "UTC"
    per_page: int = 10
    permalink: str = "/{section}/{slug}/"
    weather_unit: str = "°C"
    description: str = ""
    date_format: str = "{weekday}, {month} {day}, {year}"


@dataclass(frozen=True)
class HijriConfig:
    format: str = "{month_name} {day}, {year} H"
    month_names: tuple[str, ...] = ENGLISH_HIJRI_MONTHS
    digits: str = "latin"
    # "YYYY-MM" (Hijri year and month) -> Gregorian date the month began locally.
    month_starts: dict[str, dt.date] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedsConfig:
    entries: int = 20  # newest articles per feed
    full_content: bool = False  # whole article body, or just the summary
    per_section: bool = True
    per_tag: bool = False
    per_author: bool = False
    # "example.com,2023": the tag: URI authority of feed and entry ids. Set it once and keep
    # it when the site moves hosts; empty means base_url's host and the first article's year.
    id_authority: str = ""


@dataclass(frozen=True)
class PublisherConfig:
    name: str = ""  # empty: the site's title
    logo: str = ""  # a file in static/ or content/, or an absolute URL
    language: str = ""  # news sitemap language (ISO 639); empty: from site.language
    twitter: str = ""  # "@handle" for twitter:site


@dataclass(frozen=True)
class ContentConfig:
    # true when articles come from outside the newsroom (wire feeds, contributors):
    # raw HTML in Markdown is then sanitized (scripts, event handlers, javascript: URLs go).
    untrusted: bool = False
    # folders outside the site that symlinks in content/ and static/ may lead into (a
    # shared wire-desk folder); relative to the site folder or absolute
    linked_folders: tuple[str, ...] = ()
    # "ascii" transliterates headlines into Latin slugs; "unicode" keeps each script's letters.
    slugs: str = "ascii"


@dataclass(frozen=True)
class UrlsConfig:
    """Where listings and feeds live, so a site moved from Pelican or Hugo keeps its
    URLs ('/category/{slug}.html', '/tags/{slug}/'). A listing's later pages are at
    its folder's page/2/ ('tag/rust.html': tag/rust/page/2/)."""

    section: str = "/{slug}/"
    tag: str = "/tag/{slug}/"
    author: str = "/author/{slug}/"
    series: str = "/series/{slug}/"
    corrections: str = "/corrections/"
    archive: str = "/archive/"
    year: str = "/archive/{year}/"
    month: str = "/archive/{year}/{month}/"
    search: str = "/search/"
    # {url}: the listing's folder ("" for the whole site's); {kind}: section, tag, author
    # or all; {slug}: the term's (all for the whole site's)
    atom: str = "/{url}atom.xml"
    rss: str = "/{url}rss.xml"


@dataclass(frozen=True)
class BuildConfig:
    # seconds one page's render may take before the build stops, naming it (as Hugo's
    # `timeout`): a template that loops for ever must not hang the build
    timeout: int = 30


@dataclass(frozen=True)
class ThemeConfig:
    """Parts of the default theme not every site wants, each on unless switched off.
    Templates read them as `config.theme.<name>`; Gazette computes the values anyway."""

    hijri: bool = True  # the Hijri date beside the Gregorian one (pages and masthead)
    weather: bool = True  # the day's weather (article pages and masthead)
    placeholder_image: bool = True  # the "No Image" box on an article without an image
    reading_time: bool = True  # "4 min read" under a story


@dataclass(frozen=True)
class MarkdownConfig:
    """How bodies are converted; the defaults give the HTML Gazette always gave."""

    heading_links: bool = False  # a link to each heading, beside it (Python-Markdown's toc)
    heading_link_symbol: str = "¶"
    guess_code_language: bool = False  # highlight code blocks that name no language
    # more Python-Markdown extensions by name: "admonition", "abbr", "pymdownx.tilde"...
    extensions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchConfig:
    """The search page and its index (Pagefind): on unless switched off."""

    enabled: bool = True


@dataclass(frozen=True)
class ImagesConfig:
    """How photos in content/ are written: resized, converted, stripped of metadata.
    A phone photo is several megabytes with its GPS position in it; readers get a
    file the width their screen needs, and nobody gets the position."""

    widths: tuple[int, ...] = (480, 800, 1200, 1600)  # never wider than the photo itself
    formats: tuple[str, ...] = ("avif", "webp")  # besides the photo's own format
    quality: int = 75  # JPEG and WebP, 1-100
    avif_quality: int = 55  # AVIF looks as good at a lower number
    # true: the photo's file is copied as it was, metadata (GPS too) and all
    keep_originals: bool = False
    # true: the Artist and Copyright fields of EXIF stay in every written file
    keep_credit: bool = False
    # a photo with more pixels than this is refused (a decompression bomb stops here)
    max_pixels: int = 50_000_000
    # the article photo's `sizes`: how wide it is shown, for the browser's choice
    sizes: str = "(min-width: 46rem) 42rem, 100vw"
    # a square raster file (static/ or content/) for favicon and touch icons; empty:
    # the publisher logo when it is a raster file, else the site's initial on `icon_color`
    icon: str = ""
    icon_color: str = "#a3121c"


@dataclass(frozen=True)
class EditionConfig:
    """One language edition (`[editions.<code>]`): its own front page, lists, feeds and
    sitemaps under its URL prefix, from its own content folder. An empty value is the
    site's (`[site]`, `[hijri]`) or the language's own, from CLDR through Babel."""

    code: str = ""  # the table's name: a language tag, "en", "bn", "ar", "ur"...
    title: str = ""
    tagline: str = ""
    description: str = ""
    timezone: str = ""
    prefix: str = ""  # "/" for the first edition, "/<code>/" for the others
    folder: str = ""  # content/<folder>/; the first edition's stories are the rest of content/
    digits: str = ""  # "latn", "arab", "arabext", "beng"...: the language's own when empty
    date_format: str = ""  # "{weekday}, {day} {month} {year}"; empty: CLDR's full date
    hijri_format: str = ""  # empty: the strings file's ("{day} {month_name} {year} هـ")
    hijri_month_names: tuple[str, ...] = ()  # empty: the strings file's twelve names
    sections: dict[str, str] = field(default_factory=dict)  # section slug -> its name here
