"""Stage 5: pages of the site model through the site's Jinja templates.

Links are written relative to the page that holds them (`link()` in
templates), so `output/` works at a domain root and under any sub-path.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape

from gazette.errors import GazetteError
from gazette.model import Alternate, Archive, Article, Edition, Page, Site, Term
from gazette.stages.config import Config
from gazette.stages.editions import edition_config, edition_homes
from gazette.stages.localize import (
    archive_title,
    edition_settings,
    gregorian,  # noqa: F401 - its home before localize
    hijri_text,
    in_digits,
    live_times,
    long_date,
    number,
)
from gazette.stages.pictures import picture_html
from gazette.stages.render_limits import RenderTimeout, Watchdog, capped_range
from gazette.stages.site import home_url, url_from
from gazette.stages.story_fields import TYPES
from gazette.stages.strings import word
from gazette.themes import find_template

_ABSOLUTE = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


# Hosts serve the 404 page at whatever URL was missing, at any depth, so its links
# cannot be relative to where it is: they start from the path of base_url instead.
ROOTED_PAGES = frozenset({"404.html"})


def page_root(url: str, config: Config) -> str:
    """What `link()` puts before a site-relative URL on the page at `url`."""
    if url in ROOTED_PAGES:
        path = urlsplit(config.site.base_url).path
        return path if path.endswith("/") else path + "/"
    return relative_root(url)


def relative_root(url: str) -> str:
    """The way back to the site root from a page at `url` ("./", "../", "../../")."""
    depth = url.count("/")
    return "../" * depth if depth else "./"


class SiteEnvironment(jinja2.Environment):
    """Jinja, minus a term's or archive's whole list of articles.

    A page shows the articles in its own context (`articles`, `related`...), and an
    incremental build knows a page from that context. A template that walked
    `term.articles` would depend on every article of the section without it being
    known, so it is an error here, with the way to do it instead."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Jinja's own lookup, written out: every `a.b` of every page comes through here
        if attribute == "articles" and type(obj) in _LISTS:
            _no_list(obj)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if argument == "articles" and type(obj) in _LISTS:
            _no_list(obj)
        return super().getitem(obj, argument)


_LISTS = (Term, Archive)


try:  # markupsafe's escaping in C, without wrapping the text in a Markup object
    from markupsafe._speedups import _escape_inner
except ImportError:  # a pure-Python markupsafe, or a later one that moved it
    _escape_inner = None


def _escape_output(value: Any) -> str:
    """What `{{ value }}` prints under autoescape: markupsafe's `escape`, as plain text.
    The result only ever goes into the page's text, so the Markup object that `escape`
    wraps it in (about half of its cost, and it runs about 100 times a page) is skipped."""
    if type(value) is str:
        return _escape_inner(value)  # type: ignore[misc]
    return escape(value)


class _SiteTemplate(jinja2.Template):
    """A compiled template that prints `{{ }}` values through `_escape_output`.

    Jinja's generated code calls the module-level name `escape` only to print a value
    (it builds Markup for macros, blocks and `|safe` by other names), so rebinding that
    name in the template's own module leaves every other use of escaping as it was."""

    @classmethod
    def from_code(cls, environment: Any, code: Any, globals: Any, uptodate: Any = None) -> Any:
        template = super().from_code(environment, code, globals, uptodate)
        if _escape_inner is not None:
            template.root_render_func.__globals__["escape"] = _escape_output
        return template


class _PageContext(jinja2.runtime.Context):
    """Jinja's template context, with a shorter way to call `link()`, `asset()` and `_()`
    (the interface's words). Jinja's own `call` inspects each callable for what to pass
    it; these are called dozens of times a page, so they are called straight away."""

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if __obj in __self.environment.direct_calls:  # type: ignore[attr-defined]
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
            return __obj(__self, *args, **kwargs)
        return super().call(__obj, *args, **kwargs)


def _no_list(obj: Term | Archive) -> None:
    what = f"{obj.kind}" if isinstance(obj, Term) else "archive"
    raise GazetteError(
        f"templates cannot read a {what}'s whole list of articles ({what}.articles)",
        hint="use the page's own `articles` (its listing page) or .count for how many",
    )


def make_environment(config: Config) -> jinja2.Environment:
    env = SiteEnvironment(
        loader=jinja2.FileSystemLoader(config.template_dirs),  # the site's, then the theme's
        autoescape=jinja2.select_autoescape(("html", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )

    @jinja2.pass_context
    def link(context: jinja2.runtime.Context, target: Any) -> str:
        if not isinstance(target, str):  # Markup (from `~` with a safe value) is text too
            url = target.url  # an article, term, archive...: always site-relative
        elif _ABSOLUTE.match(target):  # an image on another host, given as a full URL
            return target
        else:
            url = target
        # context["root"], written out: a page calls link() a few dozen times
        names = context.vars if "root" in context.vars else context.parent
        return names["root"] + url

    @jinja2.pass_context
    def asset(context: jinja2.runtime.Context, name: str) -> str:
        urls = context["assets"]
        if name not in urls:
            raise GazetteError(
                f"asset '{name}' is not in static/",
                hint="add the file to static/ or fix the name in the template",
            )
        return context["root"] + urls[name]

    @jinja2.pass_context
    def picture(
        context: jinja2.runtime.Context,
        image: str,
        alt: str = "",
        sizes: str = "",
        lead: bool = False,
        css_class: str = "",
    ) -> Markup:
        """An article's photo at the widths written for it (gazette.stages.pictures);
        a photo of another host, or a file not made into a Picture, as a plain <img>."""
        found = context.get("pictures", {}).get(image)
        if found is None:
            attrs = f' class="{escape(css_class)}"' if css_class else ""
            attrs += "" if lead else ' loading="lazy"'
            return Markup(f'<img src="{escape(link(context, image))}" alt="{escape(alt)}"{attrs}>')
        root = context["root"]
        shown = sizes or config.images.sizes
        html = picture_html(found, root, alt, sizes=shown, lead=lead, css_class=css_class)
        return Markup(html)

    # Dates, numbers and words in the page's edition: its settings are the page's `config`.
    @jinja2.pass_context
    def date_line(context: jinja2.runtime.Context, article: Article | Edition) -> str:
        settings = context["config"]
        return f"{long_date(article.date, settings)} | {hijri_text(article.hijri, settings)}"

    @jinja2.pass_context
    def date_filter(context: jinja2.runtime.Context, value: dt.datetime | dt.date) -> str:
        return long_date(value, context["config"])

    @jinja2.pass_context
    def words(context: jinja2.runtime.Context, english: str, **values: Any) -> Markup:
        """An interface word in the page's language; numbers in `values` in its digits.
        The catalogue's text is the theme's own (its apostrophes stay as written); the
        values are escaped, unless markup (a link the sentence holds)."""
        settings = context["config"]
        text = Markup(word(settings.edition, english))
        if not values:
            return text
        shown = {k: number(v, settings) if type(v) is int else v for k, v in values.items()}
        return text.format(**shown)

    env.globals.update(link=link, asset=asset, range=capped_range, picture=picture, _=words)
    env.watchdog = Watchdog()  # type: ignore[attr-defined]
    env.context_class = _PageContext
    env.template_class = _SiteTemplate
    env.direct_calls = frozenset((link, asset, words))  # type: ignore[attr-defined]
    env.filters.update(
        date_line=date_line,
        long_date=date_filter,
        hijri=jinja2.pass_context(lambda c, article: hijri_text(article.hijri, c["config"])),
        number=jinja2.pass_context(lambda c, value: number(value, c["config"])),
        archive_name=jinja2.pass_context(
            lambda c, archive: archive_title(archive.year, archive.month, c["config"])
        ),
        translation=lambda found, code: next((t for t in found if t.edition == code), None),
        iso=lambda value: value.isoformat(),
        safe_html=Markup,
        live_times=jinja2.pass_context(lambda c, html: live_times(html, c["config"])),
        direction=text_direction,
        story_label=jinja2.pass_context(
            lambda c, article: words(c, TYPES.get(article.type, TYPES["news"]).label or "")
        ),
        digits=jinja2.pass_context(lambda c, text: in_digits(text, edition_settings(c["config"]))),
    )
    return env


# Languages written right to left (primary subtags): Arabic, Persian, Hebrew, Urdu...
RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb", "ku", "syr"}


def text_direction(language: str) -> str:
    """'rtl' for a right-to-left language ("ar", "ur-PK"), else 'auto' (the text decides)."""
    primary = language.replace("_", "-").split("-")[0].lower()
    return "rtl" if primary in RTL_LANGUAGES else "auto"


def shared_context(
    site: Site, config: Config, asset_urls: dict[str, str], editions: list[Alternate] | None = None
) -> dict[str, Any]:
    """What every page's template gets besides its own context; `config`: the page's
    edition's settings, `editions` the switcher's links (none for a site of one language)."""
    editions = editions or []
    return {
        "site": config.site,
        "config": config,
        "nav": site.sections,
        "site_pages": site.documents,  # About, Privacy...: the default theme's footer
        "archive_url": url_from(config.urls.archive),
        "search_url": url_from(config.urls.search)
        if config.search.enabled and site.articles
        else None,
        "edition": site.edition,
        "breaking": site.breaking,  # the banner's stories (see stages/live.py)
        "assets": asset_urls,
        "home_url": home_url(config),
        "editions": editions,  # every edition's front page, for a language switcher
        "translations": [],  # a story's page: the story in every edition that has it
    }


def edition_contexts(
    site: Site, config: Config, asset_urls: dict[str, str], extra: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Each edition's shared context (its settings, masthead and navigation), by code;
    `extra`'s pictures and icons go into each. Empty for a site of one language."""
    homes = edition_homes(config)
    contexts = {}
    for code, part in site.editions.items():
        contexts[code] = shared_context(part, edition_config(config, code), asset_urls, homes)
        contexts[code].update(pictures=extra["pictures"], icons=extra["icons"])
    return contexts


def render_page(
    env: jinja2.Environment, page: Page, shared: dict[str, Any], config: Config
) -> bytes:
    try:
        with env.watchdog.limit(config.build.timeout):  # type: ignore[attr-defined]
            template = env.get_template(page.template)
            names = {**shared, **page.context, "page": page, "root": page_root(page.url, config)}
            html = template.render(names)
    except RenderTimeout:
        raise _at_failing_line(
            config,
            page,
            f"rendering /{page.url} took longer than {config.build.timeout} s",
            "a loop that never ends? if the page is really that slow, raise [build] timeout",
        ) from None
    except RecursionError:
        raise _at_failing_line(
            config,
            page,
            "template recursion: a macro that calls itself, or a template that includes "
            "or extends itself, never ends",
            "make the macro stop, or remove the include or extends that leads back here",
        ) from None
    except UnicodeDecodeError as exc:
        raise GazetteError(
            f"a template is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
            file=template_path(config, page.template),
            hint="save the template (and those it includes) as UTF-8",
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise GazetteError(
            f"template syntax error: {exc.message}",
            file=template_path(config, exc.name or page.template),
            line=exc.lineno,
            hint="check the {% %} and {{ }} tags on that line",
        ) from None
    except jinja2.TemplateNotFound as exc:
        including, line = _template_frame(config, sys.exc_info()[2])  # an include/extends
        raise GazetteError(
            f"template '{exc.name}' not found",  # the same for every page that needs it
            file=including or template_path(config, exc.name or page.template),
            line=line,
            hint=f"create it in {config.templates_dir.name}/ or fix the name that asks for it",
        ) from None
    except jinja2.UndefinedError as exc:
        raise _at_failing_line(
            config,
            page,
            f"template uses an undefined variable: {exc.message}",
            "check the name's spelling; for a front matter key not every article has, "
            "write article.extra.get('key')",
        ) from None
    except GazetteError as exc:
        if exc.file is None:
            file, line = _template_frame(config, sys.exc_info()[2])
            exc.file, exc.line = file, line
        raise
    except jinja2.TemplateError as exc:
        raise _at_failing_line(config, page, f"template error: {exc}") from None
    except Exception as exc:  # noqa: BLE001
        # An expression in the template failed ({{ 1 / 0 }}, {{ "a" + 1 }}): the
        # template's line, not a traceback; the type name keeps a Gazette bug traceable.
        raise _at_failing_line(
            config,
            page,
            f"template expression failed: {type(exc).__name__}: {exc}",
            "check the values and operations in the {{ }} or {% %} on that line",
        ) from None
    return html.encode("utf-8")


def _at_failing_line(
    config: Config, page: Page, message: str, hint: str | None = None
) -> GazetteError:
    """The error at the template line rendering failed on (called while the exception
    is handled), or at the page's own template when no template frame is found."""
    file, line = _template_frame(config, sys.exc_info()[2])
    return GazetteError(
        message, file=file or template_path(config, page.template), line=line, hint=hint
    )


def template_path(config: Config, name: str) -> str:
    """Where template `name` is read from, for messages: `templates/x.html` for the
    site's own file, the real path of the theme's (which the site may copy to change)."""
    path = find_template(config.template_dirs, name) or config.templates_dir / name
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


def _template_frame(config: Config, tb: Any) -> tuple[str | None, int | None]:
    """The innermost template file and line in a traceback (Jinja maps them back)."""
    site, *others = (folder.resolve() for folder in config.template_dirs)
    found: tuple[str | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(tb):
        try:
            filename = Path(frame.f_code.co_filename).resolve()
        except OSError:
            continue
        if filename.is_relative_to(site):
            found = (template_path(config, filename.relative_to(site).as_posix()), line)
        elif any(filename.is_relative_to(folder) for folder in others):
            found = (filename.as_posix(), line)
    return found
