"""The Arabic edition in Chromium beside the English one, at a phone's and a desktop's
width: the layout is mirrored (element boxes compared, not pixels)."""

from __future__ import annotations

import pytest
from conftest import BuiltSite, serve_folder

ENGLISH = "world/kim-tours-russian-bombers-and-a-warship-in-vladivostok/"
ARABIC = "ar/world/kim-vladivostok-bombers/"
# Elements that sit at one side of the page: in Arabic they must sit at the other.
SIDED = [".site-title a", ".sections li:first-child a", ".story-nav a[rel='prev']", ".to-top"]


def _boxes(page: object, url: str) -> dict[str, dict[str, float]]:
    page.goto(url)  # type: ignore[attr-defined]
    found = {}
    for selector in SIDED + [".page-links .to-home", "main"]:
        box = page.locator(selector).first.bounding_box()  # type: ignore[attr-defined]
        assert box is not None, f"{selector} not shown at {url}"
        found[selector] = box
    found["dir"] = page.evaluate("getComputedStyle(document.body).direction")  # type: ignore[attr-defined]
    return found


def _centre(box: dict[str, float]) -> float:
    return box["x"] + box["width"] / 2


@pytest.mark.parametrize("width", [390, 1280])
def test_arabic_page_mirrors_the_english_one(
    sample_site: BuiltSite, browser: object, width: int
) -> None:
    with serve_folder(sample_site.output) as base:
        page = browser.new_page(viewport={"width": width, "height": 900})  # type: ignore[attr-defined]
        try:
            english = _boxes(page, base + ENGLISH)
            arabic = _boxes(page, base + ARABIC)
            page_width = page.evaluate("document.documentElement.clientWidth")
        finally:
            page.close()
    assert (english["dir"], arabic["dir"]) == ("ltr", "rtl")
    middle = page_width / 2
    for selector in [".sections li:first-child a", ".to-top"]:
        # the first link of the nav and the back-to-top arrow swap sides
        assert _centre(english[selector]) < middle < _centre(arabic[selector]), selector
    # back-to-top and home icons change places: top on the start side in both
    assert english[".to-top"]["x"] < english[".page-links .to-home"]["x"]
    assert arabic[".to-top"]["x"] > arabic[".page-links .to-home"]["x"]
    # the story-nav's previous link (the older story) takes the start side
    prev_en, prev_ar = english[".story-nav a[rel='prev']"], arabic[".story-nav a[rel='prev']"]
    main_en, main_ar = english["main"], arabic["main"]
    start_en = prev_en["x"] - main_en["x"]
    start_ar = (main_ar["x"] + main_ar["width"]) - (prev_ar["x"] + prev_ar["width"])
    assert abs(start_en - start_ar) <= 2  # mirrored: the same distance from its own edge
    # the masthead keeps its width and its centre
    title_en, title_ar = english[".site-title a"], arabic[".site-title a"]
    assert abs(_centre(title_en) - _centre(title_ar)) <= max(2, page_width * 0.02)
