"""Issue 14's last part on whole sites: live coverage, breaking news and expiry.

Pages are read with BeautifulSoup, JSON-LD with extruct, feeds with feedparser; the
clock is the build's (`now=`, or SOURCE_DATE_EPOCH for the command line).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urljoin

import feedparser
import pytest
from conftest import BuiltSite, run_cli

from gazette.sinks.memory import MemorySink
from tests.cleanbuild import build
from tests.sitekit import article, json_ld, make_site, soup

UTC = dt.UTC
STORM = "world/storm-live/"
STORM_BODY = """\
The storm is expected to reach the coast tonight; the newest update is at the top.

## 13:30 Ferries stop

All ferries on the river routes are held at their docks.

## 10:05

Signal 7 is raised at the ports.

### What the signal means

Small boats must stay in harbour.

## 2023-09-24 00:15 - Landfall

The eye crossed the coast a little after midnight.
"""
FILES = {
    "content/world/storm-live.md": article(
        "Storm live",
        STORM_BODY,
        date="2023-09-23 10:00",
        live="true",
        live_until="2023-09-24 02:00",
        dateline="COX'S BAZAR",
        author="[Farhana Rahman, Tanvir Ahmed]",
        slug="storm-live",
    ),
    "content/world/quiet.md": article("A quiet day", date="2023-09-22 09:00", slug="quiet"),
    "content/world/alert.md": article(
        "Evacuation ordered",
        date="2023-09-23 11:00",
        breaking="true",
        breaking_until="2023-09-24 06:00",
        slug="alert",
    ),
    "content/world/offer.md": article(
        "Shelter list for tonight",
        date="2023-09-23 09:00",
        expires="2023-09-25 00:00",
        slug="offer",
        tags="[shelters]",
    ),
}
DURING = dt.datetime(2023, 9, 24, 1, 0, tzinfo=UTC)  # live, breaking, not expired
AFTER = dt.datetime(2023, 9, 26, 0, 0, tzinfo=UTC)  # coverage ended, banner gone, expired


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("live")
    make_site(root, FILES)
    return root


def built(site: Path, now: dt.datetime) -> Path:
    from gazette.stages.config import load_config

    out = site / f"output-{now:%Y%m%d%H%M}"
    if not out.exists():
        build(load_config(site / "config.toml"), out, now=now)
    return out


def test_a_live_page_shows_its_updates_newest_first_each_with_an_anchor_and_a_time(
    site: Path,
) -> None:
    page = soup(built(site, DURING) / STORM / "index.html")
    body = page.select_one(".story-body")
    intro = body.select_one(".live-intro")
    assert intro.get_text(" ", strip=True).startswith("COX'S BAZAR: The storm is expected")
    updates = body.select("section.live-update")
    assert [u["id"] for u in updates] == [
        "update-2023-09-24-0015",
        "update-2023-09-23-1330",
        "update-2023-09-23-1005",
    ]
    times = [u.select_one("h2 time")["datetime"] for u in updates]
    assert times == [
        "2023-09-24T00:15:00+00:00",
        "2023-09-23T13:30:00+00:00",
        "2023-09-23T10:05:00+00:00",
    ]
    for update in updates:  # each heading links its own anchor
        assert update.select_one("h2 a")["href"] == "#" + update["id"]
    heads = [u.select_one("h2").get_text(" ", strip=True) for u in updates]
    assert heads == ["24 September, 00:15 Landfall", "13:30 Ferries stop", "10:05"]
    assert updates[2].select_one("h3").get_text() == "What the signal means"
    assert "Small boats must stay in harbour." in updates[2].get_text()
    # the newest update's time is the story's 'updated'
    assert page.select_one(".story-facts time")["datetime"] == "2023-09-24T00:15:00+00:00"


def test_the_live_badge_is_on_cards_and_the_page_while_live_and_gone_after(site: Path) -> None:
    during, after = built(site, DURING), built(site, AFTER)
    for url in ("", "world/", STORM, "archive/2023/09/"):
        shown = soup(during / url / "index.html")
        badges = shown.select(".badge-live")
        assert len(badges) == 1, url
        holder = badges[0].find_parent(["article", "section"])
        link = holder.select_one("a[href]")["href"] if url != STORM else ""
        assert url == STORM or urljoin(f"/{url}", link) == f"/{STORM}", url
        assert soup(after / url / "index.html").select(".badge-live") == [], url
    status = soup(after / STORM / "index.html").select_one(".live-status")
    assert "Live coverage ended" in status.get_text()
    assert status.time["datetime"] == "2023-09-24T02:00:00+00:00"
    assert soup(during / "world/quiet/index.html").select(".badge-live") == []
    # a card's opening words are the introduction's, not the updates'
    (card,) = [c for c in soup(during / "index.html").select(".card") if "Storm" in c.get_text()]
    intro = "COX'S BAZAR: The storm is expected to reach the coast tonight; the newest update"
    assert card.select_one(".card-summary").get_text().startswith(intro)
    assert "Landfall" not in card.get_text()


def test_a_live_story_is_a_live_blog_posting_with_every_update(site: Path) -> None:
    data = json_ld(built(site, DURING) / STORM / "index.html")
    assert data["@type"] == "LiveBlogPosting"
    assert data["coverageStartTime"] == "2023-09-23T10:00:00+00:00"
    assert data["coverageEndTime"] == "2023-09-24T02:00:00+00:00"
    assert data["dateModified"] == "2023-09-24T00:15:00+00:00"
    assert [p["name"] for p in data["author"]] == ["Farhana Rahman", "Tanvir Ahmed"]
    updates = data["liveBlogUpdate"]
    assert [u["@type"] for u in updates] == ["BlogPosting"] * 3
    assert [u["datePublished"] for u in updates] == [
        "2023-09-24T00:15:00+00:00",
        "2023-09-23T13:30:00+00:00",
        "2023-09-23T10:05:00+00:00",
    ]
    assert [u["headline"] for u in updates[:2]] == ["Landfall", "Ferries stop"]
    assert updates[2]["headline"].startswith("Signal 7 is raised")  # no words after the time
    assert updates[1]["articleBody"] == "All ferries on the river routes are held at their docks."
    assert "Small boats must stay in harbour." in updates[2]["articleBody"]
    assert updates[0]["url"] == f"https://example.com/news/{STORM}#update-2023-09-24-0015"
    quiet = json_ld(built(site, DURING) / "world/quiet/index.html")
    assert quiet["@type"] == "NewsArticle" and "liveBlogUpdate" not in quiet


def test_the_updates_feed_sits_beside_the_page_and_the_page_links_it(site: Path) -> None:
    out = built(site, DURING)
    page = soup(out / STORM / "index.html")
    (alternate,) = [
        link for link in page.select("link[rel=alternate]") if "updates" in link["href"]
    ]
    assert alternate["type"] == "application/atom+xml"
    assert urljoin(f"/{STORM}", alternate["href"]) == f"/{STORM}updates.xml"
    feed = feedparser.parse((out / STORM / "updates.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.title == "Storm live: live updates"
    assert feed.feed.link == f"https://example.com/news/{STORM}"
    titles = [e.title for e in feed.entries]
    assert titles[:2] == ["Landfall", "Ferries stop"] and titles[2].startswith("Signal 7")
    assert feed.entries[1].link == f"https://example.com/news/{STORM}#update-2023-09-23-1330"
    assert feed.entries[1].published == "2023-09-23T13:30:00+00:00"
    assert "held at their docks" in feed.entries[1].content[0].value
    assert len({e.id for e in feed.entries}) == 3
    assert not (out / "world/quiet/updates.xml").exists()


def test_the_breaking_banner_is_on_every_page_until_it_ends(site: Path) -> None:
    during, after = built(site, DURING), built(site, AFTER)
    pages = sorted(during.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        url = path.relative_to(during).as_posix()
        banner = soup(path).select_one("section.breaking")
        assert banner is not None, url
        link = banner.select_one("a")
        assert link.get_text() == "Evacuation ordered"
        if url != "404.html":  # the 404 page's links start from base_url's path
            assert urljoin(f"/{url}", link["href"]) == "/world/alert/", url
    assert (
        soup(during / "404.html").select_one("section.breaking a")["href"] == "/news/world/alert/"
    )
    assert all(soup(p).select("section.breaking") == [] for p in after.rglob("*.html"))


def test_an_expired_story_is_gone_from_the_whole_site(site: Path) -> None:
    during, after = built(site, DURING), built(site, AFTER)
    assert (during / "world/offer/index.html").exists()
    assert "world/offer/" in (during / "sitemap.xml").read_text()
    assert not (after / "world/offer/index.html").exists()
    assert not (after / "tag/shelters").exists()
    for path in after.rglob("*"):
        if path.suffix in (".html", ".xml", ".txt", ".json"):
            text = path.read_text(encoding="utf-8")
            assert "world/offer/" not in text and "Shelter list" not in text, path
    records = (
        [p for p in (after / "pagefind").rglob("*") if p.is_file()]
        if (after / "pagefind").exists()
        else []
    )
    assert all(b"Shelter list" not in p.read_bytes() for p in records)


def test_the_preview_answers_an_expired_story_as_a_missing_page(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(AFTER.timestamp())))
    preview = MemorySink(site / "config.toml")
    assert preview.rebuild().error is None
    assert preview.resource("world/offer/") is None
    assert preview.resource("world/quiet/") is not None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(DURING.timestamp())))
    assert MemorySink(site / "config.toml").rebuild().error is None


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2023-09-22 08:00", "2023-09-22T09:00:00+00:00"),  # the quiet story comes out
        ("2023-09-24 01:00", "2023-09-24T02:00:00+00:00"),  # the live badge ends
        ("2023-09-24 03:00", "2023-09-24T06:00:00+00:00"),  # the banner ends
        ("2023-09-24 07:00", "2023-09-25T00:00:00+00:00"),  # the shelter list expires
        ("2023-09-26 00:00", ""),  # nothing is due
    ],
)
def test_next_due_prints_the_next_time_the_site_changes(site: Path, now: str, due: str) -> None:
    epoch = dt.datetime.fromisoformat(now).replace(tzinfo=UTC).timestamp()
    done = run_cli("--next-due", cwd=site, env={"SOURCE_DATE_EPOCH": str(int(epoch))})
    assert done.returncode == 0, done.stderr
    assert done.stdout == (due + "\n" if due else "")
    assert not (site / "output").exists()  # it builds nothing


def test_the_live_pages_pass_the_w3c_checker(site: Path) -> None:
    from test_html_valid import validate

    during, after = built(site, DURING), built(site, AFTER)
    pages = [during / STORM / "index.html", during / "index.html", during / "404.html"]
    pages += [after / STORM / "index.html"]
    result = validate(pages)
    report = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0, "\n".join(report[:40])


def test_the_sample_site_has_a_live_story(sample_site: BuiltSite) -> None:
    out = sample_site.output
    (page,) = [p for p in out.glob("*/*/index.html") if soup(p).select_one("article.live-story")]
    data = json_ld(page)
    assert data["@type"] == "LiveBlogPosting" and len(data["liveBlogUpdate"]) >= 4
    assert "coverageEndTime" in data  # built as of 2026: the coverage has ended
    feed = feedparser.parse((page.parent / "updates.xml").read_bytes())
    assert not feed.bozo and len(feed.entries) == len(data["liveBlogUpdate"])


def test_a_drafts_preview_shows_a_scheduled_live_story_with_its_updates(site: Path) -> None:
    from gazette.stages.config import load_config

    early = dt.datetime(2023, 9, 22, 12, 0, tzinfo=UTC)  # before the storm story's date
    out = site / "output-drafts"
    build(load_config(site / "config.toml"), out, now=early, include_drafts=True)
    assert len(soup(out / STORM / "index.html").select("section.live-update")) == 3
