"""Old URLs that keep working: a small redirect page at each alias, and `_redirects`.

A story moved from another site keeps the links the web has to it. Every host
serves a plain HTML file, so each alias gets one that sends the reader on with
a meta refresh and a link (no JavaScript) and names the new URL as canonical,
so search engines move their index too. Netlify and Cloudflare Pages also read
`_redirects` and answer with a real 301; only Netlify reads its query lines
('/?p=12'), which no file can stand for.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from gazette.machine.common import absolute
from gazette.model import Article, Site, output_path
from gazette.stages.assets import OutputFile
from gazette.stages.config import Config
from gazette.stages.render import relative_root

REDIRECTS = "_redirects"
_FILE_SUFFIXES = (".html", ".htm")  # an old URL ending so is a file a host serves as HTML


@dataclass(frozen=True)
class Alias:
    """One old URL of an article or page (site-relative, no leading '/')."""

    url: str  # as written in 'aliases:', "2013/01/old/" or "?p=12"
    target: Article

    @property
    def file(self) -> str | None:
        """The output file that answers at the old URL; None when none can (a query, or
        an old '.php' a static host would not serve as a page): `_redirects` only."""
        route, _, query = self.url.partition("?")
        route = unquote(route)
        if query or not route:
            return None
        name = route.rpartition("/")[2]
        if route.endswith("/") or name.endswith(_FILE_SUFFIXES):
            return output_path(route)
        if "." in name:
            return None
        return route + "/index.html"  # hosts answer /old with /old/


def site_aliases(site: Site) -> list[Alias]:
    """Every alias of the site, an article's or page's own URL left out (an imported
    story often keeps its old URL)."""
    return [
        Alias(alias, article)
        for article in [*site.articles, *site.documents]
        for alias in article.aliases
        if alias != article.url
    ]


def redirect_page(alias: Alias, config: Config) -> bytes:
    """A page that sends the reader on: relative, so it works under any base URL."""
    target = html.escape(relative_root(alias.file or "") + alias.target.url)
    canonical = html.escape(absolute(config, alias.target.url))
    title = html.escape(alias.target.title)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{html.escape(config.site.language)}">\n'
        f'<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f'<link rel="canonical" href="{canonical}">\n'
        '<meta name="robots" content="noindex">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n</head>\n'
        f'<body>\n<p>This page has moved to <a href="{target}">{title}</a>.</p>\n'
        "</body>\n</html>\n"
    ).encode()


def _path(text: str) -> str:
    """A `_redirects` path as hosts match it: percent-encoded, one word."""
    return quote(text, safe="/%=&:@!$'()*+,;~")


def redirect_files(site: Site, config: Config) -> Iterator[OutputFile]:
    """A redirect page for each alias that can have one, and `_redirects` for all."""
    aliases = site_aliases(site)
    if not aliases:
        return
    prefix = urlsplit(config.site.base_url).path.rstrip("/") + "/"
    lines = []
    for alias in aliases:
        if alias.file is not None:
            yield OutputFile(alias.file, redirect_page(alias, config))
        route, _, query = alias.url.partition("?")
        source = _path(prefix + route) + (" " + _path(query).replace("&", " ") if query else "")
        lines.append(f"{source} {_path(prefix + alias.target.url)} 301\n")
    yield OutputFile(REDIRECTS, "".join(lines).encode())
