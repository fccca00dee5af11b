"""Photos, whole-site: each written at its widths and formats, with width and height on
the page, upright, without GPS or camera data, with a social card and its credit, and
encoded once (the cache), the preview serving the build's bytes.

The photos are made here with Pillow, small, and the widths small too, so the suite
stays quick: a JPEG with GPS EXIF and a rotated orientation, a CMYK JPEG, a PNG with
transparency and an animated GIF (kept as it is: its frames are the content).
"""

from __future__ import annotations

import io
from pathlib import Path

import extruct
import pytest
from PIL import Image
from sitekit import article, make_site, soup

from gazette.images import photos as photo_module
from gazette.sinks.disk import DiskSink
from gazette.sinks.memory import MemorySink
from gazette.stages.config import load_config

GPS, MAKE, ORIENTATION = 0x8825, 0x010F, 0x0112
CONFIG = """
[images]
widths = [160, 320, 640]
"""


def jpeg_with_gps(size: tuple[int, int] = (800, 600), orientation: int = 6) -> bytes:
    """A phone photo: GPS position, camera make, and stored on its side (orientation 6:
    turn it 90 degrees clockwise to show it)."""
    image = Image.effect_mandelbrot(size, (-2, -1.2, 1, 1.2), 60).convert("RGB")
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[ORIENTATION] = orientation
    exif[0x8298] = "Reuters"  # Copyright
    exif[GPS] = {1: "N", 2: (23.0, 48.0, 30.0), 3: "E", 4: (90.0, 24.0, 10.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def other_photos() -> dict[str, bytes]:
    cmyk, png, gif = io.BytesIO(), io.BytesIO(), io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 100, 200, 0)).save(cmyk, "JPEG")
    rgba = Image.new("RGBA", (240, 240), (200, 30, 30, 0))
    rgba.paste((20, 120, 200, 255), (60, 60, 180, 180))
    rgba.save(png, "PNG")
    frames = [Image.new("RGB", (50, 40), color) for color in ("red", "green", "blue")]
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return {"cmyk.jpg": cmyk.getvalue(), "logo.png": png.getvalue(), "anim.gif": gif.getvalue()}


BODY = """Boats came back at dawn.

![Nets drying](nets.png "Nets on the quay | Photo: AFP")

The CMYK scan: ![A scan](cmyk.jpg) and a GIF: ![Moving](anim.gif)
"""


def site_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        "content/world/harbour.md": article(
            "Boats return to the harbour",
            BODY,
            image="phone.jpg",
            image_alt="Boats in the harbour",
            caption="Fishing boats at dawn",
            image_credit='"Photo: Reuters"',
            image_focus="0.5,0.3",
        ),
        "content/world/phone.jpg": jpeg_with_gps(),
        "content/world/nets.png": other_photos()["logo.png"],
    }
    files.update({f"content/world/{n}": d for n, d in other_photos().items() if n != "logo.png"})
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("photos")
    config = make_site(folder, site_files(), CONFIG)
    DiskSink(config, folder / "output", jobs=1).build()
    return folder / "output"


def story(out: Path) -> Path:
    [page] = (out / "world").glob("boats-*/index.html")
    return page


def url_to_path(page: Path, url: str) -> Path:
    return (page.parent / url).resolve()


def test_every_photo_is_a_picture_with_its_widths_formats_and_size(built: Path) -> None:
    page = story(built)
    pictures = soup(page).select("picture")
    assert len(pictures) == 3  # the lead, the PNG and the CMYK scan; the GIF is an <img>
    for picture in pictures:
        img = picture.select_one("img")
        types = [source["type"] for source in picture.select("source")]
        assert "image/avif" in types and "image/webp" in types
        for tag in [*picture.select("source"), img]:
            assert tag["sizes"]
            candidates = [c.strip().split(" ") for c in tag["srcset"].split(",")]
            for url, width in candidates:
                with Image.open(url_to_path(page, url)) as opened:
                    assert opened.width == int(width.removesuffix("w"))
                    assert opened.width <= 640
                    expected = tag.get("type", Image.MIME.get(opened.format))
                    assert Image.MIME[opened.format] == expected
        with Image.open(url_to_path(page, img["src"])) as widest:
            assert (widest.width, widest.height) == (int(img["width"]), int(img["height"]))
    gif = soup(page).select_one('img[alt="Moving"]')
    assert (gif["width"], gif["height"]) == ("50", "40")
    with Image.open(url_to_path(page, gif["src"])) as kept:
        assert kept.n_frames == 3


def test_the_lead_photo_loads_first_and_the_others_lazily(built: Path) -> None:
    images = soup(story(built)).select("article.story img[srcset], article.story img[width]")
    lead, *others = [img for img in images if "icons" not in img["src"]]
    assert lead["fetchpriority"] == "high" and "loading" not in lead.attrs
    assert others and all(img["loading"] == "lazy" for img in others)


def test_photos_are_upright_and_never_upscaled(built: Path) -> None:
    lead = soup(story(built)).select_one(".story-image img")
    # 800x600 stored on its side: shown 600 wide, 800 tall; 640 is not reached
    assert (lead["width"], lead["height"]) == ("600", "800")
    widths = [c.strip().split(" ")[1] for c in lead["srcset"].split(",")]
    assert widths == ["600w", "320w", "160w"]


def test_no_gps_or_camera_data_in_any_file(built: Path) -> None:
    checked = 0
    for path in built.rglob("*"):
        if path.suffix.lower() not in {".jpg", ".png", ".webp", ".avif", ".gif", ".ico"}:
            continue
        with Image.open(path) as opened:
            exif = opened.getexif()
            assert not exif.get_ifd(GPS) and GPS not in exif, path
            assert MAKE not in exif and exif.get(ORIENTATION, 1) == 1, path
            assert "xmp" not in opened.info, path
        assert b"PhoneMaker" not in path.read_bytes()
        checked += 1
    assert checked > 20
    assert (built / "world" / "phone.jpg").is_file()  # the photo's own URL still answers


def test_the_social_card_is_1200_by_630_and_the_credit_is_in_json_ld(built: Path) -> None:
    page = soup(story(built))
    og = {m["property"]: m["content"] for m in page.select("meta[property^='og:image']")}
    assert og["og:image"].endswith("world/phone.card-50-30.jpg")
    assert (og["og:image:width"], og["og:image:height"]) == ("1200", "630")
    with Image.open(built / "world" / "phone.card-50-30.jpg") as card:
        assert card.size == (1200, 630)
    data = extruct.extract(story(built).read_text(), syntaxes=["json-ld"])["json-ld"]
    [image] = data[0]["image"]
    assert image["creditText"] == "Photo: Reuters"
    assert image["copyrightHolder"]["name"] == "Reuters"
    assert page.select_one(".story-image .photo-credit").get_text() == "Photo: Reuters"
    body = page.select_one("figure.body-image")
    assert body.select_one("picture") and "Photo: AFP" in body.figcaption.get_text()


def test_icons_are_made_and_linked(built: Path) -> None:
    with Image.open(built / "favicon.ico") as icon:
        assert icon.format == "ICO"
    with Image.open(built / "apple-touch-icon.png") as touch:
        assert touch.size == (180, 180)
    links = soup(story(built)).select("link[rel~='icon']")
    assert url_to_path(story(built), links[0]["href"]) == (built / "favicon.ico").resolve()


def test_keep_originals_copies_the_photo_as_it_was(tmp_path: Path) -> None:
    files = site_files()
    config = make_site(tmp_path, files, CONFIG + "keep_originals = true\n")
    DiskSink(config, tmp_path / "output", jobs=1).build()
    assert (tmp_path / "output/world/phone.jpg").read_bytes() == files["content/world/phone.jpg"]


def test_a_rebuild_encodes_nothing_and_a_new_photo_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[str] = []
    real = photo_module.encode_photo

    def counting(path: Path, *args: object) -> object:
        encoded.append(path.name)
        return real(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(photo_module, "encode_photo", counting)
    config = make_site(tmp_path, site_files(), CONFIG)
    DiskSink(config, tmp_path / "output", jobs=1, cache=True).build()
    assert sorted(encoded) == ["anim.gif", "cmyk.jpg", "nets.png", "phone.jpg"]
    encoded.clear()
    again = DiskSink(load_config(tmp_path / "config.toml"), tmp_path / "output", jobs=1, cache=True)
    result = again.build()
    assert encoded == [] and result.report.written == 0
    (tmp_path / "content/world/second.jpg").write_bytes(jpeg_with_gps((400, 300), 1))
    again.build()
    assert encoded == ["second.jpg"]


def test_the_preview_serves_the_builds_photos(built: Path, tmp_path: Path) -> None:
    make_site(tmp_path, site_files(), CONFIG)
    preview = MemorySink(tmp_path / "config.toml")
    preview.rebuild()
    assert preview.error is None
    names = [p for p in preview.paths() if p.startswith("world/") and "." in p.split("/")[-1]]
    assert any(name.endswith(".avif") for name in names)
    for name in names:
        served = preview.resource(name)
        assert served is not None and served.data == (built / name).read_bytes(), name


def test_icons_are_made_again_only_when_their_source_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gazette.engine import photos as engine_photos

    made: list[int] = []
    real = engine_photos.make_icons

    def counting(config: object) -> object:
        made.append(1)
        return real(config)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_photos, "make_icons", counting)
    files = {**site_files(), "static/icon.png": other_photos()["logo.png"]}
    make_site(tmp_path, files, CONFIG + 'icon = "icon.png"\n')

    def build() -> bytes:
        sink = DiskSink(load_config(tmp_path / "config.toml"), tmp_path / "out", jobs=1, cache=True)
        sink.build()
        return (tmp_path / "out/favicon.ico").read_bytes()

    first = build()
    assert made == [1]
    assert build() == first and made == [1]  # a rebuild: the icons the cache kept
    (tmp_path / "static/icon.png").write_bytes(jpeg_with_gps((300, 300), 1))
    assert build() != first and made == [1, 1]


def test_the_preview_encodes_again_what_a_build_pruned(tmp_path: Path) -> None:
    """`serve` reads the build's photo cache, and each build removes the entries it did
    not use: a draft's social card, shown by `serve --drafts`, is one of them. The
    preview makes it again when it is next asked for, rather than failing."""
    files = site_files()
    files["content/world/draft.md"] = article(
        "Not out yet", "Soon.", image="phone.jpg", image_focus="0.2,0.2", draft="true"
    )
    make_site(tmp_path, files, CONFIG)
    preview = MemorySink(tmp_path / "config.toml", include_drafts=True)
    assert preview.rebuild().error is None
    card = "world/phone.card-20-20.jpg"  # the draft's own crop: no published story has it
    assert preview.resource(card) is not None
    DiskSink(load_config(tmp_path / "config.toml"), tmp_path / "output", jobs=1, cache=True).build()
    assert not (tmp_path / "output" / card).exists()
    served = preview.resource(card)
    assert served is not None
    with Image.open(io.BytesIO(served.data)) as image:
        assert image.size == (1200, 630)
