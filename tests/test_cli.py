"""The command line as a user meets it: --help, build flags, the summary, `new`."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import yaml
from conftest import parse_html, run_cli

from gazette.commands.cli import make_parser


def every_option() -> dict[str, list[str]]:
    """Each subcommand of the real parser with its option strings."""
    parser = make_parser()
    [commands] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {
        name: [s for action in sub._actions for s in action.option_strings]
        for name, sub in commands.choices.items()
    }


def test_help_lists_every_subcommand_and_flag(tmp_path: Path) -> None:
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    options = every_option()
    assert {"build", "new"} <= set(options)
    for command, flags in options.items():
        assert f"build.py {command}" in result.stdout, command
        for flag in flags:
            assert flag in result.stdout, (command, flag)
    for flag in ("--config", "--output", "--drafts", "--section"):
        assert flag in result.stdout


def test_build_with_config_and_output_flags_prints_a_summary(
    site_root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere"
    result = run_cli(
        "--config",
        str(site_root / "config.toml"),
        "--output",
        str(out),
        cwd=tmp_path,
        env={"SOURCE_DATE_EPOCH": "1696140000"},  # 2023-10-01: the fixture's "now"
    )
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file()
    assert not (site_root / "output").exists()
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Built 8 articles into ") and " s" in lines[0]


def test_default_build_writes_output_beside_config(site_root: Path) -> None:
    result = run_cli(env={"SOURCE_DATE_EPOCH": "1696140000"}, cwd=site_root)
    assert result.returncode == 0, result.stderr
    assert (site_root / "output" / "404.html").is_file()
    drafts = run_cli("--drafts", cwd=site_root, env={"SOURCE_DATE_EPOCH": "1696140000"})
    assert drafts.returncode == 0, drafts.stderr
    assert (site_root / "output" / "world" / "a-story-still-being-written" / "index.html").is_file()


def test_new_writes_an_article_that_builds(site_root: Path) -> None:
    # SOURCE_DATE_EPOCH 1695456000 = 2023-09-23 08:00 UTC = 14:00 in Dhaka.
    env = {"SOURCE_DATE_EPOCH": "1695456000"}
    result = run_cli(
        "new",
        "Floods close the Dhaka–Chittagong highway",
        "--section",
        "world",
        cwd=site_root,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    path = Path(result.stdout.strip())
    if not path.is_absolute():
        path = site_root / path
    assert path.parent == site_root / "content" / "world"
    assert path.name == "floods-close-the-dhaka-chittagong-highway.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["title"] == "Floods close the Dhaka–Chittagong highway"
    date = (
        meta["date"]
        if isinstance(meta["date"], dt.datetime)
        else dt.datetime.fromisoformat(meta["date"])
    )
    assert date == dt.datetime(2023, 9, 23, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=6)))
    assert str(meta["hijri"]) == "1445-03-07"  # from the fixture's month-start table
    assert meta["weather"]["condition"] == "" and meta["source"] == ""

    again = run_cli(
        "new",
        "Floods close the Dhaka–Chittagong highway",
        "--section",
        "world",
        cwd=site_root,
        env=env,
    )
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr

    build = run_cli("--drafts", cwd=site_root, env={"SOURCE_DATE_EPOCH": "1696140000"})
    assert build.returncode == 0, build.stderr
    page = parse_html(
        site_root / "output" / "world" / "floods-close-the-dhaka-chittagong-highway" / "index.html"
    )
    assert page.find("h1").get_text(strip=True) == "Floods close the Dhaka–Chittagong highway"
    assert "Rabi' al-awwal 7, 1445 H" in page.find(class_="story-date").get_text()


def test_new_rejects_an_unknown_section(site_root: Path) -> None:
    result = run_cli("new", "Headline", "--section", "sport", cwd=site_root)
    assert result.returncode == 1
    assert "unknown section 'sport'" in result.stderr
    assert "world" in result.stderr and "Traceback" not in result.stderr
    assert not (site_root / "content" / "sport").exists()


def test_user_error_is_one_line_exit_1_no_traceback(site_root: Path) -> None:
    (site_root / "content" / "world" / "putin-summit.md").write_text(
        "---\ntitle: T\ndate: soon\n---\n"
    )
    result = run_cli(cwd=site_root)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: content/world/putin-summit.md:3: ")
    assert "'date'" in line and "'soon'" in line and "(hint: " in line
    assert "Traceback" not in result.stderr + result.stdout
    assert not (site_root / "output").exists()
