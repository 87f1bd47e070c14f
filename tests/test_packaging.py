"""The wheel carries rules/ inside the package, and an installed offramp finds its data there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_wheel_ships_rules_and_runs_from_another_directory(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (wheel,) = tmp_path.glob("offramp-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for data in ("catalog.toml", "openai.toml", "wrappers.toml", "providers/qwen.toml", "providers/deepseek.toml"):
        assert f"offramp/rules/{data}" in names, data
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "app.py").write_text("from openai import OpenAI\nclient = OpenAI()\n")
    probe = (
        "import offramp.catalog as c, sys; d = c.rules_dir(); assert str(d).startswith(sys.argv[1]), d; "
        "from offramp.cli import main; main(['check', 'app.py', '--to', 'kimi', '--output-format', 'concise'])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(site)],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert proc.returncode == 1, proc.stderr
    assert "app.py:2:10: OFR101" in proc.stdout
