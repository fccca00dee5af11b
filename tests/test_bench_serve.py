"""The preview latency benchmark runs (tiny), so it cannot rot; no timing is asserted."""

from __future__ import annotations

import sys

from tests.conftest import REPO, require_module, require_tool


def test_serve_latency_benchmark_runs_on_a_tiny_site() -> None:
    chromium = require_tool("chromium")
    require_module("playwright")
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import serve_latency
    finally:
        sys.path.remove(str(REPO / "bench"))
    results = serve_latency.measure(30, 1, chromium)
    assert len(results["article"]) == 1 and len(results["css"]) == 1
    assert all(value > 0 for value in results["article"] + results["css"])
