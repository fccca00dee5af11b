"""Outputs that cannot all be written: two on one path, or a file where another
output needs a folder (`world/x` beside `world/x/index.html`). Found from the site
model and the static files before anything is written, naming both sources;
found while writing, they would stop a build half-way with `File exists`.
"""

from __future__ import annotations

from gazette.errors import GazetteError
from gazette.model import Article, Page
from gazette.stages.assets import Assets


def _page_source(page: Page) -> tuple[str | None, str]:
    """(the file to name, what it is) for a page."""
    article = page.context.get("article")
    if isinstance(article, Article):
        return f"content/{article.path}", f"the {article.kind} 'content/{article.path}'"
    kind = page.template.removesuffix(".html").replace("_", " ")
    return None, f"the {kind} page '{page.title}'"


def _file_source(path: str, assets: Assets) -> tuple[str | None, str]:
    if path in assets.content_files:
        return f"content/{path}", f"the file 'content/{path}'"
    return None, f"the static file '{path}'"


def output_collisions(
    pages: list[Page], assets: Assets, machine: list[tuple[str, str | None, str]]
) -> list[GazetteError]:
    """An error for each path two outputs claim (an article on a section's URL, a
    content file on a feed's, an alias on a page), and each file another output needs
    as a folder; `machine` are the feeds', sitemaps' and aliases' paths, each with the
    file to name and what it is (`machine_paths`)."""
    owner: dict[str, tuple[str | None, str]] = {}
    errors: list[GazetteError] = []
    claims = [(page.output_path, _page_source(page)) for page in pages]
    claims += [(path, (file, what)) for path, file, what in machine]
    claims += [(file.path, _file_source(file.path, assets)) for file in assets.files]
    for path, source in claims:
        first = owner.setdefault(path, source)
        if first is not source:
            errors.append(_clash(f"/{path}", source, first))
    folders: dict[str, str] = {}  # each folder some output needs -> one such output
    for path in owner:
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders[folder] = path
            folder = folder.rpartition("/")[0]
    for folder, inside in folders.items():
        if folder in owner:
            errors.append(_clash(f"/{folder}", owner[folder], owner[inside], f"/{inside}"))
    return errors


def _clash(
    path: str, one: tuple[str | None, str], other: tuple[str | None, str], inside: str = ""
) -> GazetteError:
    where = one[0] or other[0]
    if inside:
        message = f"{one[1]} would be written to {path}, where {other[1]} needs a folder ({inside})"
    else:
        message = f"{one[1]} and {other[1]} would both be written to {path}"
    return GazetteError(
        message,
        file=where,
        hint="rename one of them, give the article another 'slug:', change permalink, "
        "or remove the alias",
    )
