"""Which pages a snapshot renders: those whose inputs' digest is not the one a sink has.

A page's inputs digest (`gazette.engine.inputs`) names everything its bytes are
made from. When an edit leaves the site's shape as it was (same pages in the
same order, same templates and masthead), only the pages that show an edited
article are digested again; otherwise all of them are.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from gazette.digest import bytes_digest, digest
from gazette.engine.inputs import PageInputs, template_digest
from gazette.engine.state import State, View
from gazette.errors import GazetteError
from gazette.model import Article, Site
from gazette.stages.assets import front_matter_line
from gazette.stages.config import Config
from gazette.themes import TEMPLATES


@dataclass
class Plan:
    """What a snapshot renders for one sink, and the view it leaves that sink with."""

    todo: list[int]  # indices of the pages to render
    view: View  # every page's inputs digest, the shape and the referrers, after this
    same_shape: bool  # as the sink's last snapshot: only pages showing edited articles changed
    # Works out the digests that choosing `todo` did not need: a sink that had nothing
    # renders every page anyway, and only the next snapshot compares them.
    settle: Callable[[], None] = lambda: None


def article_shape(a: Article) -> str:
    """An article's place in the site as its file gives it: worked out once, when the
    file is read (with its URL and live state, which the site and the clock give it,
    `structure` has a site's worth of these to compare at every build)."""
    fields = (a.path, a.date, a.section, a.slug, a.tags, a.authors, a.draft, a.updated)
    return digest(repr(fields + (a.series, a.corrections)))  # short: joined 100,000 times


def structure(site: Site, shapes: Mapping[str, str]) -> str:
    """What decides the site's pages and their order: each article's place in it
    (`shapes`: each source's `article_shape`, by path), and the author profiles
    (their slugs make the bylines' links on every card)."""
    rows = [
        f"{shapes.get(a.path) or article_shape(a)}\0{a.url}\0{a.live_now}" for a in site.articles
    ]
    rest = [(t.slug, t.url, t.profile) for t in site.authors if t.profile is not None]
    rest += [(a.path, a.url, a.title, a.template, a.aliases) for a in site.documents]
    rest += [(a.path, a.aliases) for a in site.articles if a.aliases]
    return digest("\n".join(rows), repr(rest))


def kept_related(
    state: State, articles: list[Article], shapes: Mapping[str, str]
) -> tuple[str, list[list[Article]] | None]:
    """Last snapshot's related lists (kept as article numbers), while they still hold,
    with the key they are kept by: they follow from the settings and each article's
    path, date and tags alone (its shape holds those), and they are most of the site
    model's time."""
    shown = [shapes.get(a.path) or article_shape(a) for a in articles]
    key = digest(state.settings, "\n".join(shown))
    if state.related[0] != key:
        return key, None
    return key, [[articles[n] for n in row] for row in state.related[1]]


def keep_related(
    state: State, key: str, articles: list[Article], related: list[list[Article]]
) -> None:
    """Remember the related lists a site model made, by `kept_related`'s key."""
    at = {id(article): n for n, article in enumerate(articles)}
    state.related = (key, [[at[id(a)] for a in row] for row in related])


def template_files(folders: tuple[Path, ...]) -> str:
    """A digest of every file in the template folders (the site's templates/ and the
    theme's: names and bytes), so an edit to either renders again the pages it shows in."""
    parts = []
    for number, folder in enumerate(folders):
        if folder.is_dir():
            parts.append(f"folder {number}")
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                data = path.read_bytes()
                _check_utf8(data, path, folder)
                parts.append(path.relative_to(folder).as_posix())
                parts.append(bytes_digest(data))
    return digest(*parts)


def _check_utf8(data: bytes, path: Path, folder: Path) -> None:
    """Jinja reads templates as UTF-8: say which file is not, before any page renders."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = f"templates/{path.relative_to(folder).as_posix()}"
        raise GazetteError(
            f"template is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            file=path if folder == TEMPLATES else shown,
            line=data.count(b"\n", 0, exc.start) + 1,
            hint="save it as UTF-8 in your editor",
        ) from None


def missing_templates(site: Site, env: jinja2.Environment, config: Config) -> list[GazetteError]:
    """An error at each 'template:' line naming a template that does not exist."""
    chosen = [a for a in [*site.articles, *site.documents] if a.template]
    if not chosen:
        return []
    known = set(env.list_templates())
    return [
        GazetteError(
            f"template '{article.template}' not found",
            file=f"content/{article.path}",
            line=front_matter_line(config, article, "template"),
            hint="create it in templates/, or remove 'template:' to use the default one",
        )
        for article in chosen
        if article.template not in known
    ]


def template_digests(
    state: State, env: jinja2.Environment, folders: tuple[Path, ...], names: list[str], files: str
) -> dict[str, str]:
    """Each template's digest with all it uses. Finding what a template uses means
    parsing it, so the answer is kept while no template file changes (`files`)."""
    known_files, known = state.templates
    if known_files != files or not set(names) <= known.keys():
        known = {name: template_digest(env, folders, name) for name in names}
        state.templates = (files, known)
    return {name: known[name] for name in names}


def plan_pages(
    site: Site,
    inputs: PageInputs,
    templates: dict[str, str],
    previous: View,
    present: Container[str] | None,
) -> Plan:
    """The pages whose digest differs from `previous` (the sink's last view), or whose
    file the sink does not hold (`present`: None, it holds every page it was given)."""
    pages = site.pages
    shape = digest(inputs.shared, repr(sorted(templates.items())), structure(site, inputs.shapes))
    check: Iterable[int]
    if shape == previous.shape:
        digests, referrers = dict(previous.pages), previous.referrers
        check = {i for path in previous.pending for i in referrers.get(path, ())}
        if present is not None:
            check |= {i for i, page in enumerate(pages) if page.output_path not in present}
        check = sorted(check)
    else:
        digests, referrers, check = {}, {}, range(len(pages))
    view = View(digests, shape, referrers, set())

    def work_out(indices: Iterable[int]) -> None:
        for index in indices:
            page = pages[index]
            if referrers is previous.referrers:
                digests[page.output_path] = inputs.of(page, templates[page.template])
            else:
                shown: list[str] = []
                digests[page.output_path] = inputs.of(page, templates[page.template], shown)
                for article in dict.fromkeys(shown):
                    referrers.setdefault(article, []).append(index)

    plan = Plan(list(check), view, shape == previous.shape)
    if not previous.pages:  # nothing to compare with: every page renders

        def settle() -> None:  # once, when the sink has time for it
            plan.settle = lambda: None
            work_out(check)

        plan.settle = settle
        return plan
    work_out(check)
    plan.todo = [
        index
        for index in check
        if previous.pages.get(path := pages[index].output_path) != digests[path]
        or (present is not None and path not in present)
    ]
    return plan
