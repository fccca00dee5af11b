"""How many problems read as a report: one line per cause and folder, every problem kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from sitekit import article, make_site

from gazette.commands.cli import main
from gazette.errors import GazetteError

HINT = "add it to [sections] in config.toml"


def unknown_section(file: str, line: int | None = None) -> GazetteError:
    return GazetteError("unknown section 'news'", file=file, line=line, hint=HINT)


def report_lines(errors: list[GazetteError], cap: int = 50) -> list[str]:
    """What the CLI prints after 'error: ', one entry per line."""
    return str(GazetteError.collect(errors, cap=cap)).splitlines()


def test_one_cause_in_one_folder_is_one_line_with_a_count_and_an_example() -> None:
    errors = [unknown_section(f"content/news/{n:03d}.md", line=3) for n in range(668)]
    assert report_lines(errors) == [
        "668 problems found:",
        "content/news/ (668 files, e.g. content/news/000.md:3): unknown section 'news' "
        f"(hint: {HINT})",
    ]


def test_a_problem_alone_reads_as_before() -> None:
    errors = [
        unknown_section("content/news/a.md", line=3),
        GazetteError("'date' is not a date: 'soon'", file="content/world/b.md", line=3),
        GazetteError("file has no front matter", file="content/world/c.md", line=1, hint="h"),
    ]
    assert report_lines(errors) == [
        "3 problems found:",
        f"content/news/a.md:3: unknown section 'news' (hint: {HINT})",
        "content/world/b.md:3: 'date' is not a date: 'soon'",
        "content/world/c.md:1: file has no front matter (hint: h)",
    ]


def test_other_folders_messages_or_hints_are_other_lines_in_first_seen_order() -> None:
    errors = [
        unknown_section("content/news/a.md"),
        unknown_section("content/news/2023/b.md"),  # a subfolder is another folder
        GazetteError("unknown section 'news'", file="content/news/c.md", hint="other"),
        GazetteError("unknown section 'sport'", file="content/news/d.md", hint=HINT),
        unknown_section("content/news/e.md"),
        unknown_section("content/news/2023/f.md"),
    ]
    assert report_lines(errors) == [
        "6 problems found:",
        f"content/news/ (2 files, e.g. content/news/a.md): unknown section 'news' (hint: {HINT})",
        "content/news/2023/ (2 files, e.g. content/news/2023/b.md): unknown section 'news' "
        f"(hint: {HINT})",
        "content/news/c.md: unknown section 'news' (hint: other)",
        f"content/news/d.md: unknown section 'sport' (hint: {HINT})",
    ]


def test_one_file_with_the_same_problem_twice_keeps_both_lines() -> None:
    errors = [
        GazetteError("asset 'x.css' is not in static/", file="templates/base.html", line=4),
        GazetteError("asset 'x.css' is not in static/", file="templates/base.html", line=9),
    ]
    assert report_lines(errors)[1:] == [
        "templates/base.html:4: asset 'x.css' is not in static/",
        "templates/base.html:9: asset 'x.css' is not in static/",
    ]


def test_a_folder_line_says_when_files_have_the_problem_more_than_once() -> None:
    errors = [
        GazetteError("link 'x/' is broken", file="templates/a.html", line=1),
        GazetteError("link 'x/' is broken", file="templates/a.html", line=7),
        GazetteError("link 'x/' is broken", file="templates/b.html", line=2),
    ]
    assert report_lines(errors)[1:] == [
        "templates/ (2 files, 3 problems, e.g. templates/a.html:1): link 'x/' is broken",
    ]


def test_problems_without_a_file_are_never_folded() -> None:
    errors = [GazetteError("the site has no articles", hint="write one") for _ in range(2)]
    assert report_lines(errors)[1:] == ["the site has no articles (hint: write one)"] * 2


def test_the_cap_counts_lines_and_says_how_many_problems_it_hides() -> None:
    # 60 folders with two files each: 120 problems in 60 lines, 50 of them shown.
    errors = [
        unknown_section(f"content/f{folder:02d}/{name}.md")
        for folder in range(60)
        for name in ("a", "b")
    ]
    lines = report_lines(errors)
    assert lines[0] == "120 problems found (20 more not shown):"
    assert len(lines) == 51
    assert lines[1].startswith("content/f00/ (2 files, e.g. content/f00/a.md): ")
    assert lines[-1].startswith("content/f49/ (2 files")


def test_the_cap_counts_single_problems_as_before() -> None:
    errors = [GazetteError(f"problem {n}", file=f"content/world/{n}.md") for n in range(60)]
    lines = report_lines(errors)
    assert lines[0] == "60 problems found (10 more not shown):"
    assert len(lines) == 51


def test_every_problem_is_still_there_on_its_own() -> None:
    errors = [unknown_section(f"content/f{n:03d}/a.md") for n in range(80)]
    collected = GazetteError.collect(errors)
    assert collected.all_problems() == errors  # beyond the cap too
    assert len(str(collected).splitlines()) == 51


def test_collected_errors_collected_again_are_flattened_and_folded() -> None:
    first = GazetteError.collect([unknown_section(f"content/news/{n}.md") for n in range(3)])
    second = GazetteError.collect([unknown_section(f"content/news/{n}.md") for n in range(3, 5)])
    collected = GazetteError.collect([first, second])
    assert len(collected.all_problems()) == 5
    assert str(collected).splitlines()[1].startswith("content/news/ (5 files, ")


def test_one_error_is_returned_as_it_is() -> None:
    error = unknown_section("content/news/a.md", line=2)
    assert GazetteError.collect([error]) is error
    assert str(error) == f"content/news/a.md:2: unknown section 'news' (hint: {HINT})"


@pytest.mark.parametrize("command", [[], ["check"]])
def test_a_folder_missing_from_sections_is_one_line_in_the_build_report(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {f"content/news/story-{n:02d}.md": article(f"Story {n}") for n in range(30)}
    files["content/world/fine.md"] = article("Fine")
    files["content/world/late.md"] = article("Late", date="soon")
    make_site(tmp_path, files, '\n[sections]\nworld = "World"\n')
    assert main([*command, "--config", str(tmp_path / "config.toml")]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0] == "error: 31 problems found:"
    news = [line for line in lines if "content/news/" in line]
    assert len(news) == 1, lines
    assert news[0].startswith("content/news/ (30 files, e.g. content/news/story-00.md): ")
    assert "unknown section 'news' (from the folder content/news/)" in news[0]
    assert "(hint: move the file into one of the folders world" in news[0]
    assert any(line.startswith("content/world/late.md:3: 'date' is not a date") for line in lines)
    assert len(lines) == 3, lines
    assert not (tmp_path / "output").exists()
