"""One clean build, and a whole site rendered in memory: what most tests start from."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from pathlib import Path

from gazette.machine.files import annotate_pages, annotation, machine_files
from gazette.model import Site
from gazette.sinks.disk import BuildResult, DiskSink
from gazette.sinks.output_dir import Stage
from gazette.sinks.output_files import WriteReport
from gazette.stages.assets import Assets, OutputFile
from gazette.stages.config import Config
from gazette.stages.render import make_environment, render_page, shared_context


def build(
    config: Config,
    output_dir: Path,
    *,
    include_drafts: bool = False,
    now: dt.datetime | None = None,
    jobs: int | None = None,
) -> BuildResult:
    """A build with no cache: config -> content -> markup -> site -> render -> output."""
    sink = DiskSink(config, output_dir, include_drafts=include_drafts, now=now, jobs=jobs)
    return sink.build()


def output_files(site: Site, config: Config, assets: Assets) -> list[OutputFile]:
    """Every file a build of this site model writes, made in memory in one process."""
    annotate_pages(annotation(site, config, assets), site.pages)
    machine = machine_files(site, config, assets, None)
    env = make_environment(config)
    shared = shared_context(site, config, assets.urls)
    pages = [OutputFile(p.output_path, render_page(env, p, shared, config)) for p in site.pages]
    return list(itertools.chain(assets.files, pages, machine))


def publish(output_dir: Path, files: Iterable[OutputFile]) -> WriteReport:
    """Write `files` as the whole new content of `output_dir`, atomically."""
    stage = Stage(output_dir)
    try:
        for file in files:
            stage.add(file.path, file.data)
    except BaseException:
        stage.abort()
        raise
    return stage.commit()[0]
