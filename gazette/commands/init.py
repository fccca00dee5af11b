"""`gazette init DIR`: a new site that builds and previews at once.

The starter lives in `gazette/starter/` as plain files (a config with a comment
on each key, two stories in two sections, an About page), so what a new site
gets can be read and changed without reading code. Unless `bare`, copies of the
theme's templates and static files go beside them, for the site to edit; a bare
site uses the packaged theme and holds only the files it changes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from gazette import themes
from gazette.errors import GazetteError

STARTER = Path(__file__).resolve().parent.parent / "starter"
_LITTER = shutil.ignore_patterns("__pycache__", ".DS_Store")


def init_site(folder: Path, *, bare: bool = False) -> list[Path]:
    """Write a new site into `folder` (new or empty) and return the files written,
    sorted. Never writes into a folder that holds anything: a site there would be
    overwritten, or the new one mixed into it."""
    if folder.exists() and not folder.is_dir():
        raise GazetteError(
            "cannot make a site here: it is a file, not a folder",
            file=folder,
            hint="give the name of a new folder, e.g. gazette init my-paper",
        )
    if folder.is_dir() and any(folder.iterdir()):
        raise GazetteError(
            "cannot make a site here: the folder is not empty",
            file=folder,
            hint="give the name of a new or empty folder; init never overwrites files",
        )
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(STARTER, folder, ignore=_LITTER, dirs_exist_ok=True)
    if not bare:
        shutil.copytree(themes.TEMPLATES, folder / "templates", ignore=_LITTER)
        shutil.copytree(themes.STATIC, folder / "static", ignore=_LITTER)
    return sorted(path for path in folder.rglob("*") if path.is_file())


def describe(folder: Path, written: list[Path], *, bare: bool) -> str:
    """What init tells the user: what is where, and the next commands to run."""
    config = folder / "config.toml"
    theme = (
        "The packaged theme is used; put a file in templates/ or static/ to replace its own."
        if bare
        else "templates/ and static/ hold copies of the theme: edit them freely."
    )
    return "\n".join(
        [
            f"Made a new site in {folder} ({len(written)} files).",
            theme,
            "Next:",
            f"  gazette serve --config {config}    # preview, reloading on every save",
            f"  gazette build --config {config}    # write the site into {folder / 'output'}",
        ]
    )
