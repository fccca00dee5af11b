"""`python build.py check`: every problem of a broken site in one run, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import ROOT, article, make_site

from gazette.commands.check import check_site, find_links, resolve
from gazette.commands.cli import main


def test_check_passes_the_sample_site_and_counts_links(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--config", str(ROOT / "config.toml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No problems found: ")
    assert int(out.split(", ")[2].split()[0]) > 10  # internal links were really checked


def test_check_finds_every_kind_of_problem_in_one_run(tmp_path: Path) -> None:
    files = {
        "content/world/no-date.md": "---\ntitle: Missing its date\n---\n\nBody.\n",
        "content/world/bad-tags.md": article("Tags wrong", tags="{a: 1}"),
        "content/world/photo.md": article("Photo missing", image="harbour.jpg"),
        "content/world/links.md": article(
            "Links out", tags="[economy]", body="See [the budget](../budget-story/).\n"
        ),
        "templates/tag.html": '{% extends "base.html" %}{% block main %}\n{{ colour }}\n'
        "{% endblock %}\n",
        "templates/unused.html": "{% if %}\n",
    }
    config = make_site(tmp_path, files)
    problems = [p.one_line() for p in check_site(config).problems]
    text = "\n".join(problems)
    assert "content/world/no-date.md:1: front matter is missing 'date'" in text
    assert "content/world/bad-tags.md:4: 'tags' must be a list" in text
    assert "content/world/photo.md:4: image 'world/harbour.jpg' does not exist" in text
    assert "templates/tag.html:2: template uses an undefined variable" in text
    assert "templates/unused.html:1: template syntax error" in text
    assert len(problems) == 5, text
    # links are checked once templates render: fix the templates and look again
    (tmp_path / "templates/tag.html").unlink()
    (tmp_path / "templates/unused.html").unlink()
    for name in ("no-date", "bad-tags", "photo"):
        (tmp_path / f"content/world/{name}.md").unlink()
    (tmp_path / "templates/tag.html").write_text(
        (ROOT / "gazette/theme/templates/tag.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    problems = check_site(config).problems
    assert [p.one_line() for p in problems] == [
        "content/world/links.md:7: link '../budget-story/' points at a file the site does not "
        "have (hint: fix the link, or add the page or file it should point at)"
    ]
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert not (tmp_path / "output").exists()


def test_check_command_exits_1_and_lists_all(tmp_path: Path) -> None:
    make_site(
        tmp_path,
        {
            "content/world/a.md": "no front matter\n",
            "content/world/b.md": article("Fine", date="not a date"),
        },
    )
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "2 problems found" in result.stderr
    assert "content/world/a.md:1: file has no front matter" in result.stderr
    assert "content/world/b.md:3: 'date' is not a date" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "output").exists()


@pytest.mark.parametrize(
    ("page", "link", "target"),
    [
        ("world/x/index.html", "../../", "index.html"),
        ("world/x/index.html", "../y/", "world/y/index.html"),
        ("world/x/index.html", "photo.jpg", "world/x/photo.jpg"),
        ("world/x/index.html", "../../static/a.css?v=1#top", "static/a.css"),
        ("index.html", "./", "index.html"),
        ("index.html", "world/caf%C3%A9/", "world/café/index.html"),
        ("index.html", "../secret", ""),
        ("index.html", "#top", None),
        ("index.html", "https://example.com/", None),
        ("index.html", "//cdn.example.com/x.js", None),
        ("index.html", "mailto:desk@example.com", None),
    ],
)
def test_resolve_relative_links(page: str, link: str, target: str | None) -> None:
    assert resolve(page, link) == target


def test_a_system_error_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_site(tmp_path, {"content/world/a.md": article()})
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the output's parent folder should be")
    code = main(["--config", str(tmp_path / "config.toml"), "--output", str(blocker / "out")])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_check_goes_on_past_duplicate_urls_and_names_templates_for_their_links(
    tmp_path: Path,
) -> None:
    base = (ROOT / "gazette/theme/templates/section.html").read_text(encoding="utf-8")
    config = make_site(
        tmp_path,
        {
            "content/world/a.md": article("One", slug="same"),
            "content/world/b.md": article("Two", slug="same"),
            "templates/section.html": base.replace(
                "{% block main %}", "{% block main %}<a href=\"{{ link('about/') }}\">About</a>", 1
            ),
            "templates/404.html": "{{ nope }}",
        },
    )
    problems = [p.one_line() for p in check_site(config).problems]
    assert any("would both be written to /world/same/" in p for p in problems), problems
    assert any(p.startswith("templates/404.html:1: template uses an undefined") for p in problems)
    (tmp_path / "templates/404.html").write_text(
        (ROOT / "gazette/theme/templates/404.html").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "content/world/b.md").unlink()
    problems = [p.one_line() for p in check_site(config).problems]
    assert len(problems) == 1, problems
    assert problems[0].startswith("templates/section.html: link '../about/' (on /world/index.html")


def test_find_links_reads_tags_not_text() -> None:
    html = (
        '<a href="a/">x</a><img src=\'b.jpg\' alt="A &amp; B"><link rel=icon href=c.ico>'
        '<img srcset="d.jpg 1x, e.jpg 2x" src="f.jpg"><A HREF="g/?x=1&amp;y=2">'
        '<pre><code>&lt;a href="not-a-link/"&gt;</code></pre><p>see href="no"</p>'
        '<video poster="h.jpg"></video><object data="i.svg"></object>'
        '<!-- <a href="retired/">old</a>\n<img src="gone.png"> -->'
    )
    assert find_links(html) == [
        "a/", "b.jpg", "c.ico", "d.jpg", "e.jpg", "f.jpg", "g/?x=1&y=2", "h.jpg", "i.svg",
    ]  # fmt: skip


def test_a_build_lists_every_content_problem_up_to_a_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # each file wrong in its own way: the same mistake in many files is one line (test_errors)
    broken = {
        f"content/world/bad-{n:02d}.md": article(f"Bad {n}", date=f"'soon {n}'") for n in range(60)
    }
    make_site(tmp_path, broken)
    assert main(["--config", str(tmp_path / "config.toml")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "error: 60 problems found (10 more not shown):"
    assert len(lines) == 51
    assert lines[1].startswith("content/world/bad-00.md:3: 'date' is not a date: 'soon 0'")
    assert not (tmp_path / "output").exists()
