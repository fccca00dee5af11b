"""The engine's side of photos: where encoded ones are kept, the icons, and which
articles' pages a changed photo changes.

A page shows a photo with its width and height, so a photo whose size changes
changes the pages of the articles that show it (their `image:`, or an image in
their text): each article's identity includes a digest of its photos' Pictures,
and a view is told of the articles whose digest changed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import PIL

from gazette.digest import digest
from gazette.engine.sources import with_texts
from gazette.engine.state import State, View
from gazette.errors import GazetteError
from gazette.images.encode import available_formats
from gazette.images.icons import icons_key, make_icons
from gazette.images.photos import PhotoMemo, add_photos
from gazette.images.store import ImageStore
from gazette.model import Article
from gazette.stages.assets import Assets
from gazette.stages.pictures import body_images

if TYPE_CHECKING:
    from gazette.engine.core import Engine

IMAGES = "images"  # the store's folder in the cache


_SCRATCH: list[tempfile.TemporaryDirectory[str]] = []


def scratch_store() -> ImageStore:
    """For engines without a cache: one folder for the process, gone with it. Entries
    are named by what they are made from, so engines may share them (a check beside a
    preview, or a test suite's many builds of one site, encode each photo once)."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="gazette-images-"))
    return ImageStore(Path(_SCRATCH[0].name))


class Photos:
    """An engine's photos. It holds no engine (the engine holds it): an engine left in a
    reference cycle would outlive its command, its text store's connection open."""

    def __init__(self, cache_dir: Path | None) -> None:
        if cache_dir is not None:
            self.store = ImageStore(cache_dir / IMAGES)
        else:  # never pruned: only an engine that keeps a cache prunes its own
            self.store = scratch_store()
        self._told: set[str] = set()  # notices already given (a missing AVIF encoder)
        self._complete = False  # the last look made every photo: the store may be pruned

    def add(
        self,
        engine: Engine,
        state: State,
        assets: Assets,
        articles: list[Article],
        views: Iterable[View],
    ) -> list[GazetteError]:
        """The photos' and icons' files into `assets`; the articles whose photos changed
        into each view's pending ones. Bad photos are the errors returned."""
        config = engine.config
        self._complete = False
        if not isinstance(state.photos, PhotoMemo):
            state.photos = PhotoMemo()
        memo = state.photos
        # what this Pillow writes, asked of it again only when it or the config changes
        wanted = (PIL.__version__, config.images.formats)
        if memo.formats is None or memo.formats[0] != wanted:
            memo.formats = (wanted, *available_formats(config.images.formats))
        _, formats, notices = memo.formats
        for notice in notices:
            if notice not in self._told:
                self._told.add(notice)
                engine.notice(notice)
        workers = engine.workers.map
        errors = add_photos(assets, articles, config, self.store, workers, memo, formats)
        if "favicon.ico" not in assets.content_files:  # a site's own favicon wins
            try:
                key = icons_key(config)
                if memo.icons is None or memo.icons[0] != key:
                    memo.icons = (key, *make_icons(config))
            except GazetteError as exc:
                errors.append(exc)
            else:
                assets.files += memo.icons[1]
                assets.head = memo.icons[2]
        if errors:
            return errors
        self._complete = True
        changed = self._picture_keys(engine, state, assets, articles)
        for view in views:
            view.pending |= changed
        return []

    def _picture_keys(
        self, engine: Engine, state: State, assets: Assets, articles: list[Article]
    ) -> set[str]:
        """Each article's digest of the Pictures it shows; the articles whose changed."""
        pictures = assets.pictures
        if not pictures and not state.picture_keys:
            return set()
        unknown = [a for a in articles if a.path not in state.body_images]
        if unknown and pictures:
            for article in with_texts(state, engine.config, engine.store, unknown):
                state.body_images[article.path] = tuple(body_images(article.html, article.path))
        keys: dict[str, str] = {}
        for article in articles:
            shown = [article.image, *state.body_images.get(article.path, ())]
            found = [repr(pictures[p]) for p in shown if p in pictures]
            if found:
                keys[article.path] = digest(*found)
        old = state.picture_keys
        changed = {p for p in keys.keys() | old.keys() if keys.get(p) != old.get(p)}
        state.picture_keys = keys
        return changed

    def prune(self, state: State | None) -> None:
        """Remove the store's entries the last complete look did not use."""
        if self._complete and state is not None and isinstance(state.photos, PhotoMemo):
            self.store.keep_only(state.photos.used)
