import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_sample_site_builds(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "build.py", "--output", str(out)], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").is_file()
