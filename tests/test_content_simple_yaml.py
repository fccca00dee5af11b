"""The fast reader of simple front matter gives exactly what PyYAML gives, or steps aside.

Front matter like `title: ...` / `tags: [a, b]` is read without PyYAML's per-node
work; anything it is not sure of goes to PyYAML. These tests compare the two on
typical, odd and generated input: same keys in the same order, same values of the
same types, and never an answer where PyYAML would fail.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.content import _FrontMatterLoader, _simple_yaml

TYPICAL = [
    "title: Kim inspects weapons in Vladivostok\ndate: 2023-09-23",
    "title: Onion prices jump\ndate: 2023-12-09 13:40\nweather: foggy morning, mild afternoon\n"
    "source: Staff\ndateline: DHAKA\ntags: [inflation, economy, india]\n"
    "summary: Traders raised prices within hours of New Delhi's ban.",
    "title: Wage set at Tk 12,500\ndate: 2023-11-07 21:00\nweather:\n  condition: mist\n"
    "  high: 30\n  low: 21\ntags:\n  - garments\n  - wages",
    "title: T\ndate: 2023-09-23T14:30:00+06:00\nweather: {condition: haze, high: 27, low: 16.5}",
    "title: 'Kim''s visit: day two'\ndate: '2023-09-23'\nhijri: 1445-03-07\ndraft: true",
    'title: "Yes: or no"\ndate: 2023-09-23\nupdated: 2023-09-24 08:00:00\ntags:\n- a\n- b',
    "title: বাংলা শিরোনাম\ndate: 2023-02-30\nslug: 2023\ndraft: false\nimage:\n\ncaption: ~",
]

ODD = [
    "title: a: b",
    "title: a:",
    "title: a #comment",
    "title: C#",
    "title: [a, b",
    "title: [a] b",
    "title: {a: b: c}",
    "title: {a:b}",
    "title: {a : b}",
    "title: 'a'b'",
    "title: 'it''s'",
    'title: "a\\nb"',
    "title: - a",
    "title: -5",
    "title: =",
    "title: <<",
    "title: &x a\ndate: *x",
    "title: !!str 1",
    "title: |\n  text",
    "yes: 1",
    "null: a",
    "title: a\ntitle: b",
    "title: a\n  continued",
    "title:\n  a: 1\n    b: 2",
    "title:\n  a: 1\n b: 2",
    "title:\n  - a\n  b: 2",
    "title:\n- a\n  - b",
    "  title: a\n  date: b",
    "title:a",
    "title :a",
    "title:\ta",
    "title: a\u2028b",
    "title: a\x85b",
    "title: a\x7fb",
    "title: a\ufeff",
    "title: \xa0a\xa0",
    "title: 1:30\nhigh: 0x1F\nlow: 1_000\nx: .inf\ny: 0b101\nz: +3",
    "tags: [a, , b]",
    "tags: [a,]",
    "tags: [a: b]",
    "tags: [ ]",
    "tags: [-a, 'b']",
    "weather: {}",
    "weather: {condition: }",
    "x: ---",
    "- a\n- b",
    "title:\n   \n  a: 1",
]


def _same(simple: Any, full: Any) -> bool:
    """Equal, with the same types all the way down and keys in the same order."""
    if type(simple) is not type(full):
        return False
    if isinstance(full, float) and math.isnan(full):
        return math.isnan(simple)
    if isinstance(full, dict):
        return list(simple) == list(full) and all(_same(simple[k], full[k]) for k in full)
    if isinstance(full, list):
        return len(simple) == len(full) and all(map(_same, simple, full))
    return bool(simple == full)


def _check(front: str) -> Any:
    simple = _simple_yaml(front)
    if simple is None:
        return None
    try:
        full = yaml.load(front, Loader=_FrontMatterLoader)
    except yaml.YAMLError as exc:
        pytest.fail(f"read {front!r} as {simple!r}; PyYAML refuses it: {exc}")
    assert _same(simple, full), (front, simple, full)
    return simple


@pytest.mark.parametrize("front", TYPICAL)
def test_typical_front_matter_is_read_fast_and_as_pyyaml_reads_it(front: str) -> None:
    assert _check(front) is not None


@pytest.mark.parametrize("front", ODD)
def test_odd_front_matter_is_read_as_pyyaml_reads_it_or_left_to_it(front: str) -> None:
    _check(front)


def test_typed_values_are_pyyaml_s_own() -> None:
    meta = _check("a: 1:30\nb: 0x1F\nc: 1_000\nd: .inf\ne: on\nf: ~\ng: 2023-02-30\nh: 1.5")
    assert meta == {
        "a": 90,
        "b": 31,
        "c": 1000,
        "d": math.inf,
        "e": True,
        "f": None,
        "g": "2023-02-30",  # an impossible date stays text, for validation to report
        "h": 1.5,
    }


KEYS = ["title", "date", "tags", "weather", "a-b", "_x", "t", "on", "n", "k1", "k2"]
ATOMS = [
    "", "a", "Kim's", "a b", "12", "-5", "1:30", "1.5", ".5", "1e5", ".nan", "~", "null",
    "yes", "No", "2023-09-23", "2023-02-30", "2023-09-23 14:30:00", "1445-03-07", "a: b",
    "a:b", "a:", "#", "a #b", "C#", "[", "]", "{", ",", "'", "''", "'a'", "'a''b'", '"a"',
    '"a\\"', "!x", "&a", "*a", "|", ">", "?", "- a", "-", "---", "\xa0", "é", "\\", "=", "<<",
    "[a, b]", "[]", "[a,]", "[a: b]", "{a: b}", "{a: b, c: 1}", "{a:b}", "{}", "{on: 1}",
]  # fmt: skip


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        key, atom = draw(st.sampled_from(KEYS)), draw(st.sampled_from(ATOMS))
        shape = draw(st.integers(0, 3))
        if shape == 0:
            lines.append(f"{key}: {atom}" + draw(st.sampled_from(["", " "])))
        elif shape == 1:
            lines.append(f"{key}:")
            indent = draw(st.sampled_from(["", "  ", "    "]))
            for _ in range(draw(st.integers(0, 3))):
                if draw(st.booleans()):
                    lines.append(f"{indent}- {draw(st.sampled_from(ATOMS))}")
                else:
                    lines.append(f"{indent}{draw(st.sampled_from(KEYS))}: {atom}")
        elif shape == 2:
            items = draw(st.lists(st.sampled_from(ATOMS), max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]")
        else:
            tail = draw(st.sampled_from(["", " ", "  - a", "\tb", " x y", "\t"]))
            lines.append(f"{key}:{tail}")
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
def test_generated_front_matter_is_read_as_pyyaml_reads_it(front: str) -> None:
    _check(front)
