"""The default theme: templates and static files that ship inside the package.

A site's own `templates/` and `static/` need hold only the files it changes: a
file there replaces the theme's file of the same relative path. Everything that
reads templates or static files asks `Config.template_dirs` / `Config.static_dirs`
(site first for templates, theme first for static files) rather than one folder.
"""

from __future__ import annotations

from pathlib import Path

THEME_DIR = Path(__file__).resolve().parent / "theme"
TEMPLATES = THEME_DIR / "templates"
STATIC = THEME_DIR / "static"


def find_template(folders: tuple[Path, ...], name: str) -> Path | None:
    """The file a template name loads from: the first folder that has it."""
    for folder in folders:
        path = folder / name
        if path.is_file():
            return path
    return None


def template_names(folders: tuple[Path, ...]) -> list[str]:
    """Every template file's relative name across the folders, sorted, each once."""
    names: set[str] = set()
    for folder in folders:
        if folder.is_dir():
            names.update(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(names)
