"""require_tool: skip locally without a tool, fail in CI (GAZETTE_REQUIRE_TOOLS=1)."""

from __future__ import annotations

import pytest
from conftest import require_tool

MISSING = "gazette-no-such-tool-xyz"


def test_missing_tool_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GAZETTE_REQUIRE_TOOLS", raising=False)
    with pytest.raises(pytest.skip.Exception, match=MISSING):
        require_tool(MISSING)


def test_missing_tool_fails_when_tools_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAZETTE_REQUIRE_TOOLS", "1")
    with pytest.raises(pytest.fail.Exception, match="GAZETTE_REQUIRE_TOOLS"):
        require_tool(MISSING)


def test_present_tool_gives_its_path() -> None:
    assert require_tool("python3").endswith("python3")
