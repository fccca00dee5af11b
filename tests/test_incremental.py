"""Incremental builds (gazette.sinks.disk): any sequence of edits gives the output of a
clean build, byte for byte; the cache is never trusted blindly; --jobs does not
change the output; the benchmark runs."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXED_NOW, REPO, copy_site, run_cli, tree_bytes

from gazette.engine.cache import cache_dir_for
from gazette.sinks.disk import PARALLEL_MIN_PAGES, SMALL_CHANGE, DiskSink
from gazette.sinks.output_files import published_state
from gazette.stages.config import load_config
from tests.cleanbuild import build

sys.path.insert(0, str(REPO / "bench"))
import corpus  # noqa: E402


def clean_build(root: Path, folder: Path, drafts: bool = False) -> dict[str, bytes]:
    """What a from-scratch build (no cache, empty output) makes of the site now."""
    build(load_config(root / "config.toml"), folder, include_drafts=drafts, now=FIXED_NOW)
    return tree_bytes(folder)


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))


def _articles(root: Path) -> list[Path]:
    return sorted((root / "content").rglob("*.md"))


def _edit_body(rng: random.Random, root: Path) -> str:
    path = rng.choice(_articles(root))
    path.write_text(path.read_text() + f"\nAn added line {rng.randint(0, 999)}.\n")
    return f"body of {path.name}"


def _edit_title(rng: random.Random, root: Path) -> str:
    path = rng.choice(_articles(root))
    text = re.sub(
        r"(?m)^title: .*$", f"title: Retitled story {rng.randint(0, 999)}", path.read_text()
    )
    path.write_text(text)
    return f"title of {path.name}"


def _edit_tags(rng: random.Random, root: Path) -> str:
    path = rng.choice(_articles(root))
    tags = rng.sample(["floods", "economy", "energy", "cricket", "courts"], rng.randint(0, 3))
    text = path.read_text()
    text = re.sub(r"(?m)^tags: .*\n", "", text)
    text = text.replace("---\n", f"---\ntags: [{', '.join(tags)}]\n", 1)
    path.write_text(text)
    return f"tags of {path.name}"


def _add(rng: random.Random, root: Path) -> str:
    number = rng.randint(1000, 9999)
    section = rng.choice(["world", "business", "technology"])
    day = rng.randint(17, 30)  # within the fixture's Hijri month-start table
    path = root / "content" / section / f"new-{number}.md"
    path.write_text(
        f"---\ntitle: A new story {number}\ndate: 2023-09-{day:02d} 09:{number % 60:02d}\n"
        f"tags: [{rng.choice(['floods', 'economy'])}]\nauthor: Desk {number % 3}\n---\n\n"
        f"Fresh copy for story {number}.\n"
    )
    return f"added {path.name}"


def _delete(rng: random.Random, root: Path) -> str:
    articles = _articles(root)
    if len(articles) < 4:
        return _add(rng, root)
    path = rng.choice(articles)
    path.unlink()
    return f"deleted {path.name}"


def _rename(rng: random.Random, root: Path) -> str:
    path = rng.choice(_articles(root))
    target = root / "content" / rng.choice(["world", "business"]) / f"moved-{path.name}"
    path.rename(target)
    return f"renamed {path.name}"


def _draft(rng: random.Random, root: Path) -> str:
    path = rng.choice(_articles(root))
    text = path.read_text()
    if "draft: true" in text:
        text = text.replace("draft: true\n", "")
    else:
        text = text.replace("---\n", "---\ndraft: true\n", 1)
    path.write_text(text)
    return f"draft flag of {path.name}"


def _template(rng: random.Random, root: Path) -> str:
    name = rng.choice(["article.html", "macros.html", "tag.html", "base.html"])
    path = root / "templates" / name
    marker = f"<!-- revision {rng.randint(0, 999)} -->"
    text = path.read_text()
    if name == "macros.html":
        text = text.replace('<article class="card"', marker + '<article class="card"', 1)
    elif name == "base.html":
        text = text.replace("<main", marker + "<main", 1)
    else:
        text = text.replace("{% block main %}", "{% block main %}" + marker, 1)
    path.write_text(text)
    return f"template {name}"


def _config(rng: random.Random, root: Path) -> str:
    path = root / "config.toml"
    text = re.sub(r"(?m)^per_page = \d+$", f"per_page = {rng.randint(1, 4)}", path.read_text())
    path.write_text(text)
    return "config per_page"


def _author(rng: random.Random, root: Path) -> str:
    """A byline added, changed or taken away: author pages come and go."""
    path = rng.choice(_articles(root))
    text = re.sub(r"(?m)^authors?: .*\n", "", path.read_text())
    name = rng.choice(["Nadia Karim", "Desk 1", "Omar Faruk", None])
    if name is not None:
        text = text.replace("---\n", f"---\nauthor: {name}\n", 1)
    path.write_text(text)
    return f"author of {path.name}: {name}"


def _section(rng: random.Random, root: Path) -> str:
    """A section added with a story in it, or taken away with its folder."""
    config = root / "config.toml"
    text = config.read_text()
    folder = root / "content" / "sport"
    if 'sport = "Sport"' in text:
        config.write_text(text.replace('sport = "Sport"\n', ""))
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        return "section sport removed"
    config.write_text(text.replace("[sections]\n", '[sections]\nsport = "Sport"\n', 1))
    folder.mkdir()
    (folder / "derby.md").write_text(
        f"---\ntitle: Derby day {rng.randint(0, 99)}\ndate: 2023-09-2{rng.randint(0, 9)} 18:00\n"
        "tags: [cricket]\n---\n\nA late goal settles it.\n"
    )
    return "section sport added"


EDITS = [_edit_body, _edit_title, _edit_tags, _add, _delete, _rename, _draft, _template, _config]
EDITS += [_author, _section]


SEEDS = [int(s) for s in os.environ.get("GAZETTE_EDIT_SEEDS", "1 2").split()]


@pytest.mark.parametrize(
    ("seed", "patch_under"),
    # odd seeds patch output/ in place for small changes, even seeds always assemble
    # a new version of it (the path big changes take)
    [(seed, SMALL_CHANGE if seed % 2 else 0) for seed in SEEDS],
)
def test_random_edit_sequences_match_clean_builds(
    tmp_path: Path, seed: int, patch_under: int
) -> None:
    """A DiskSink kept alive (as a long-running tool keeps it) and one restarted from the disk
    cache each time (as the command line is) both give exactly a clean build."""
    rng = random.Random(seed)
    root = copy_site("basic", tmp_path / "site")
    config = load_config(root / "config.toml")
    options = {"now": FIXED_NOW, "jobs": 1, "patch_under": patch_under}
    live = DiskSink(config, tmp_path / "live", **options)
    live.build()
    for step in range(10):
        edit = rng.choice(EDITS)
        what = edit(rng, root)
        config = load_config(root / "config.toml")
        if edit in (_config, _section):
            live = DiskSink(config, tmp_path / "live", **options)
        live.build()
        restarted = DiskSink(config, tmp_path / "disk", cache=True, **options)
        restarted.build()
        expected = clean_build(root, tmp_path / f"clean-{step}")
        assert differences(tree_bytes(tmp_path / "live"), expected) == [], what
        assert differences(tree_bytes(tmp_path / "disk"), expected) == [], what
        assert_manifest_holds(live, tmp_path / "live")


def assert_manifest_holds(builder: DiskSink, output: Path) -> None:
    """What the builder noted of each published file (digest, size, time, inode: what the
    next build trusts instead of reading it) is what the file is."""
    for path, entry in builder.record.manifest.items():
        data = (output / path).read_bytes()
        assert published_state(output / path, hashlib.sha256(data).hexdigest()) == entry, path


def test_changed_paths_hint_and_what_a_body_edit_rewrites(tmp_path: Path) -> None:
    root = copy_site("basic", tmp_path / "site")
    story = root / "content" / "world" / "quake-relief.md"
    # long enough that listings, which show a story's opening words, stay as they are
    story.write_text(story.read_text() + "\n" + "Relief work went on all day. " * 20 + "\n")
    builder = DiskSink(load_config(root / "config.toml"), tmp_path / "out", now=FIXED_NOW)
    first = builder.build()
    assert first.report.written == first.report.total
    story.write_text(story.read_text() + "\nOne more sentence.\n")
    folder = (tmp_path / "out").stat().st_ino
    result = builder.build({story})
    assert (tmp_path / "out").stat().st_ino == folder  # a small change: patched in place
    # only the story's own page shows its body (feeds may carry it too)
    pages = [p for p in result.changed if p.endswith(".html")]
    assert len(pages) == 1 and pages[0].startswith("world/")
    # rendered again: its page and the pages that list or link it (all name its URL)
    slug = pages[0].split("/")[1]
    showing = [p for p in (tmp_path / "out").rglob("*.html") if f"/{slug}/" in p.read_text()]
    assert 1 < result.rendered == len(showing) < result.pages
    assert "One more sentence." in (tmp_path / "out" / pages[0]).read_text()
    again = builder.build(set())
    assert again.report.written == 0 and again.rendered == 0
    assert differences(tree_bytes(tmp_path / "out"), clean_build(root, tmp_path / "c")) == []


def test_new_title_reaches_every_page_that_shows_it(tmp_path: Path) -> None:
    root = copy_site("basic", tmp_path / "site")
    builder = DiskSink(load_config(root / "config.toml"), tmp_path / "out", now=FIXED_NOW)
    builder.build()
    story = root / "content" / "business" / "rice-prices.md"
    story.write_text(re.sub(r"(?m)^title: .*$", "title: Rice costs more again", story.read_text()))
    result = builder.build({story})
    assert result.changed  # the story, the listings and neighbours that name it
    for path in result.changed:
        if path.endswith(".html") and (tmp_path / "out" / path).exists():
            assert "Rice costs more again" in (tmp_path / "out" / path).read_text()
    assert differences(tree_bytes(tmp_path / "out"), clean_build(root, tmp_path / "c")) == []


def test_a_body_edit_makes_again_only_the_feeds_that_carry_the_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_site("basic", tmp_path / "site")
    out = tmp_path / "out"
    sink = DiskSink(load_config(root / "config.toml"), out, now=FIXED_NOW)
    sink.build()
    feeds = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*.xml") if "sitemap" not in p.name
    )
    assert {"atom.xml", "rss.xml", "world/atom.xml", "business/rss.xml"} <= set(feeds)
    made: list[str] = []
    real = sink.engine.machine_files

    def spy(snap, sitemaps=True, unchanged_feeds=()):  # type: ignore[no-untyped-def]
        files = real(snap, sitemaps, unchanged_feeds)
        made.extend(file.path for file in files if file.path in feeds)
        return files

    monkeypatch.setattr(sink.engine, "machine_files", spy)
    story = root / "content" / "business" / "rice-prices.md"
    story.write_text(story.read_text() + "\nA late figure from the market.\n")
    sink.build({story})
    assert sorted(made) == ["atom.xml", "business/atom.xml", "business/rss.xml", "rss.xml"]
    assert "A late figure" in (out / "business" / "atom.xml").read_text()
    assert differences(tree_bytes(out), clean_build(root, tmp_path / "c1")) == []

    # a feed changed in output/ by hand is made again, though none of its stories changed
    (out / "world" / "atom.xml").write_text("defaced")
    story.write_text(story.read_text() + "\nAnd a later one.\n")
    DiskSink(load_config(root / "config.toml"), out, now=FIXED_NOW).build({story})
    assert differences(tree_bytes(out), clean_build(root, tmp_path / "c2")) == []


def _cli_build(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_cli("--config", str(root / "config.toml"), *extra, cwd=root)


def test_corrupt_cache_is_discarded_with_a_notice(tmp_path: Path) -> None:
    root = copy_site("basic", tmp_path / "site")
    assert _cli_build(root).returncode == 0
    cache = cache_dir_for(root / "output")
    assert (cache / "state.pickle").is_file()
    assert not any(p.name.startswith(".gazette") for p in (root / "output").iterdir())
    expected = tree_bytes(root / "output")

    (cache / "state.pickle").write_bytes(b"\x80\x05garbage, not a pickle")
    story = root / "content" / "world" / "un-assembly.md"
    story.write_text(story.read_text() + "\nLate addition.\n")
    result = _cli_build(root)
    assert result.returncode == 0, result.stderr
    assert "ignoring the build cache" in result.stderr and "corrupt" in result.stderr
    assert "Late addition." in "".join(p.read_text() for p in (root / "output").rglob("index.html"))
    assert tree_bytes(root / "output") != expected
    assert differences(tree_bytes(root / "output"), _clean_cli(root, tmp_path)) == []


def _clean_cli(root: Path, tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    assert _cli_build(root, "--output", str(out)).returncode == 0
    return tree_bytes(out)


def test_cache_from_another_version_is_discarded(tmp_path: Path) -> None:
    root = copy_site("basic", tmp_path / "site")
    assert _cli_build(root).returncode == 0
    stamp = cache_dir_for(root / "output") / "stamp.json"
    data = json.loads(stamp.read_text())
    data["code"] = "0" * 64  # as if made by another Gazette or Markdown version
    stamp.write_text(json.dumps(data))
    result = _cli_build(root)
    assert result.returncode == 0, result.stderr
    assert "another version" in result.stderr
    quiet = _cli_build(root)  # rebuilt cache: trusted again, nothing to say
    assert "ignoring" not in quiet.stderr
    assert differences(tree_bytes(root / "output"), _clean_cli(root, tmp_path)) == []


def test_jobs_1_and_2_give_identical_output(tmp_path: Path) -> None:
    root = corpus.generate(tmp_path / "site", 120, seed=3, theme=REPO)
    one = _cli_build(root, "--output", str(tmp_path / "one"), "--jobs", "1")
    two = _cli_build(root, "--output", str(tmp_path / "two"), "--jobs", "2")
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert "120 articles" in two.stdout and "written" in two.stdout
    assert differences(tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")) == []
    bad = _cli_build(root, "--jobs", "0")
    assert bad.returncode != 0 and "at least 1" in bad.stderr


def test_workers_and_one_process_agree_on_every_page(tmp_path: Path) -> None:
    """A site big enough for workers to render its pages: the output is the one
    process's, and what the build noted of each page holds, so after a template edit a
    build in one process renders again exactly the pages that use that template."""
    root = corpus.generate(tmp_path / "site", 300, seed=5, theme=REPO)
    config = load_config(root / "config.toml")
    workers = DiskSink(config, tmp_path / "two", jobs=2, cache=True)
    two = workers.build()
    assert two.pages >= PARALLEL_MIN_PAGES
    assert_manifest_holds(workers, tmp_path / "two")
    DiskSink(config, tmp_path / "one", jobs=1).build()
    assert differences(tree_bytes(tmp_path / "one"), tree_bytes(tmp_path / "two")) == []
    template = root / "templates" / "article.html"
    marked = template.read_text().replace("{% block main %}", "{% block main %}<!-- -->")
    template.write_text(marked)
    again = DiskSink(config, tmp_path / "two", jobs=1, cache=True).build()
    assert again.rendered == again.articles == two.articles


def test_failed_rebuild_leaves_output_and_next_build_recovers(tmp_path: Path) -> None:
    root = copy_site("basic", tmp_path / "site")
    assert _cli_build(root).returncode == 0
    before = tree_bytes(root / "output")
    template = root / "templates" / "article.html"
    good = template.read_text()
    template.write_text(good.replace("{% block main %}", "{% block main %}{{ nope.nothing }}"))
    failed = _cli_build(root)
    assert failed.returncode == 1 and "article.html" in failed.stderr
    assert tree_bytes(root / "output") == before
    template.write_text(good.replace("{% block main %}", "{% block main %}<!-- fixed -->"))
    assert _cli_build(root).returncode == 0
    assert differences(tree_bytes(root / "output"), _clean_cli(root, tmp_path)) == []


@pytest.mark.parametrize("looked_before", [False, True])
def test_output_edited_by_hand_is_repaired(tmp_path: Path, looked_before: bool) -> None:
    """Also when a build in between has noted output/'s folders as unchanged (later
    builds list only folders whose time moved)."""
    root = copy_site("basic", tmp_path / "site")
    assert _cli_build(root).returncode == 0
    if looked_before:
        assert "0 written" in _cli_build(root).stdout
    out = root / "output"
    page = out / "index.html"
    page.write_text("defaced")
    story = next(out.glob("world/*/index.html"))
    story.write_text("defaced too")
    (out / "tag" / "stray").mkdir()
    assert _cli_build(root).returncode == 0  # Gazette's own files are repaired
    assert "defaced" not in page.read_text() and "defaced" not in story.read_text()
    assert differences(tree_bytes(out), _clean_cli(root, tmp_path)) == []
    assert not (out / "tag" / "stray").exists()

    (out / "stray.txt").write_text("not ours")  # a file someone else put there
    (story.parent / "stray.txt").write_text("not ours either")
    page.write_text("defaced again")
    refused = _cli_build(root)
    assert refused.returncode == 1
    assert "it holds files Gazette did not write (stray.txt, world/" in refused.stderr
    assert (out / "stray.txt").read_text() == "not ours" and page.read_text() == "defaced again"
    assert _cli_build(root, "--force").returncode == 0
    assert differences(tree_bytes(out), _clean_cli(root, tmp_path)) == []


def test_benchmark_runs_at_small_size(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--articles", "50", "--runs", "1"]
        + ["--dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    table = result.stdout[result.stdout.index("| figure") :]
    for figure in (
        "cold full build",
        "no-op rebuild",
        "one article edited",
        "one headline edited",
        "one article added",
        "one template edited",
        "peak memory",
        "Markdown alone",
    ):
        assert figure in table
    rows = {
        line.split("|")[1].strip(): line.split("|")[2].strip() for line in table.splitlines()[2:]
    }
    assert float(rows["cold full build"].split()[0]) > 0
    # the build and its workers, measured as they ran: more than the interpreter alone
    assert float(rows["peak memory (PSS summed over a build's processes)"].split()[0]) > 10
