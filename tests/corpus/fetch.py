"""Download the pinned public PyPI corpora (tests/corpus/pypi.tsv) and unpack each wheel into DEST/<corpus>.

Why here and not in the team's shared folder: the README's test command must pass in a fresh clone where nothing sits
beside the repository. Wheels only, hashes required, so no build step (and no code from the packages) runs.

usage: python tests/corpus/fetch.py DEST
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import List, NamedTuple

PINS = Path(__file__).with_name("pypi.tsv")


class Pin(NamedTuple):
    corpus: str
    distribution: str
    version: str
    sha256: str


def pins() -> List[Pin]:
    rows = []
    for line in PINS.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            rows.append(Pin(*line.split("\t")))
    return rows


def fetch(dest: Path) -> List[Path]:
    """Download and unpack every pinned corpus; returns the unpacked directories."""
    download = dest / ".download"
    download.mkdir(parents=True, exist_ok=True)
    requirements = download / "requirements.txt"
    requirements.write_text(
        "".join(f"{p.distribution}=={p.version} --hash=sha256:{p.sha256}\n" for p in pins()), encoding="utf-8"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary",
            ":all:",
            "--ignore-requires-python",
            "--require-hashes",
            "-r",
            str(requirements),
            "-d",
            str(download),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    unpacked = []
    for pin in pins():
        stem = f"{pin.distribution.replace('-', '_').lower()}-{pin.version}-"
        wheel = next(w for w in download.iterdir() if w.name.lower().startswith(stem) and w.suffix == ".whl")
        target = dest / pin.corpus
        with zipfile.ZipFile(wheel) as z:
            z.extractall(target)
        unpacked.append(target)
    return unpacked


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python tests/corpus/fetch.py DEST")
    for path in fetch(Path(sys.argv[1])):
        print(path)
