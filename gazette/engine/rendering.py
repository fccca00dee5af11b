"""Pages rendered to bytes: what a render needs, bundled so forked workers inherit it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from gazette.model import Article, Page
from gazette.stages.config import Config
from gazette.stages.pictures import body_pictures
from gazette.stages.render import page_root, render_page


@dataclass
class RenderJob:
    """What rendering pages needs; forked workers inherit it instead of receiving it."""

    env: Any
    pages: list[Page]
    shared: dict[str, Any]
    config: Config
    texts: Callable[[list[Article]], list[Article]]
    editions: dict[str, dict[str, Any]] = field(default_factory=dict)  # each one's `shared`


def pages_bytes(job: RenderJob, indices: list[int]) -> Iterator[tuple[int, bytes]]:
    """The pages rendered, one by one; an article's own page (the one place its text is
    shown) gets the article with its text, fetched for all of them at once."""
    own = [(i, a) for i in indices if isinstance(a := job.pages[i].context.get("article"), Article)]
    texts = dict(zip([i for i, _ in own], job.texts([a for _, a in own]), strict=True))
    for index in indices:
        page = job.pages[index]
        if index in texts:
            article = texts[index]
            if job.shared.get("pictures") and "<img" in article.html:
                html = body_pictures(
                    article.html,
                    article.path,
                    job.shared["pictures"],
                    page_root(page.url, job.config),
                    sizes=job.config.images.sizes,
                    lead=not article.image,
                )
                article = dataclasses.replace(article, html=html)
            context = {**page.context, "article": article}
            page = dataclasses.replace(page, context=context)
            meta = context.get("meta")
            if dataclasses.is_dataclass(meta) and hasattr(meta, "page"):
                # the head's data reads the article's text too (a live story's updates)
                context["meta"] = dataclasses.replace(meta, page=page)  # type: ignore[type-var]
        shared = job.editions[page.edition] if page.edition else job.shared
        yield index, render_page(job.env, page, shared, job.config)
