"""What the engine hands its sinks: the inputs one look at the files found, and a
snapshot of the site made from them for one sink's last view."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from gazette.engine.plan import Plan
from gazette.machine.files import Annotation
from gazette.model import Article, Site
from gazette.stages.assets import Assets
from gazette.stages.authors_data import AuthorData


@dataclass
class Inputs:
    """Everything the site is made of, as one look at its files found it."""

    articles: list[Article]  # the published ones (drafts too when previewing), newest first
    documents: list[Article]  # the published pages (About, Privacy), by path
    assets: Assets
    settings: str  # digest of the config and Gazette's code
    templates: str  # digest of every file in templates/
    sources: str  # digest of the published articles' files
    digest: str  # of all of it: the same digest, the same site
    authors: AuthorData = field(default_factory=AuthorData)  # the authors data file
    now: dt.datetime | None = None  # the clock the articles were chosen by


@dataclass
class Snapshot:
    """The site at one moment, and which of its pages differ from a sink's last view."""

    inputs: Inputs
    site: Site
    plan: Plan
    shared: dict[str, Any]  # the context every page gets
    meta: Annotation | None = None  # each edition's publisher and feeds, made when needed
    editions: dict[str, dict[str, Any]] = field(default_factory=dict)  # each one's context
    identities: dict[str, str] = field(default_factory=dict)  # each article's file and photos
