"""Static files: content-hashed CSS/JS names, generated code.css, content images."""

from __future__ import annotations

from pathlib import Path

from gazette.stages.assets import collect_assets, fingerprint


def make_tree(root: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_fingerprint_changes_with_the_bytes_only() -> None:
    one = fingerprint("style.css", b"body{}")
    assert one == fingerprint("style.css", b"body{}")
    assert one != fingerprint("style.css", b"body{color:red}")
    assert one.startswith("style.") and one.endswith(".css") and len(one) > len("style..css") + 8


def test_css_and_js_are_fingerprinted_other_files_keep_their_names(tmp_path: Path) -> None:
    make_tree(
        tmp_path / "static",
        {
            "style.css": b"body{}",
            "js/app.js": b"1",
            "icons/home.svg": b"<svg/>",
            ".DS_Store": b"x",
            ".hidden/secret.css": b"x",
        },
    )
    assets = collect_assets((tmp_path / "static",), tmp_path / "content")
    assert assets.urls["style.css"] == "static/" + fingerprint("style.css", b"body{}")
    assert assets.urls["js/app.js"] == "static/js/" + fingerprint("app.js", b"1")
    assert assets.urls["icons/home.svg"] == "static/icons/home.svg"
    assert assets.urls["code.css"].startswith("static/code.")
    paths = {f.path for f in assets.files}
    assert not any(".DS_Store" in p or ".hidden" in p for p in paths)
    code = next(f for f in assets.files if f.path == assets.urls["code.css"])
    assert b".highlight" in code.data


def test_non_markdown_content_files_are_copied_where_they_are(tmp_path: Path) -> None:
    make_tree(
        tmp_path / "content",
        {"world/story.md": b"---\n", "world/photo.jpg": b"jpeg", "images/map.svg": b"<svg/>"},
    )
    assets = collect_assets((tmp_path / "static",), tmp_path / "content")
    assert assets.content_files == {"world/photo.jpg", "images/map.svg"}
    copied = {f.path: f.data for f in assets.files if not f.path.startswith("static/")}
    assert copied == {"images/map.svg": b"<svg/>"}
    # photos are not copied: gazette.images writes them (resized, stripped)
    assert assets.photos == {"world/photo.jpg": tmp_path / "content" / "world" / "photo.jpg"}
