"""`beamdump reach --workers N`: the masses on N processes give the same outputs as one, and a bad
N is one line with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "beamdump.cli", *args], capture_output=True, text=True, timeout=300)


def test_two_workers_write_the_same_events_and_band(tmp_path):
    common = ("reach", "nucal", "--channel", "pi0", "--masses", "0.01:0.12:8", "--couplings", "1e-8:1e-4:30")
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = run(*common, "--out", str(one))
    r2 = run(*common, "--workers", "2", "--out", str(two))
    assert r1.returncode == 0 and r2.returncode == 0, (r1.stderr, r2.stderr)
    assert (one / "events.csv").read_text() == (two / "events.csv").read_text()
    assert (one / "contour.csv").read_text() == (two / "contour.csv").read_text()
    assert json.loads((two / "run.json").read_text())["workers"] == 2


@pytest.mark.parametrize("bad", ["0", "-3"])
def test_bad_workers_is_one_line(tmp_path, bad):
    r = run("reach", "nucal", "--workers", bad, "--out", str(tmp_path))
    assert r.returncode == 2, (r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and f"--workers: {bad}; allowed: an integer >= 1" in err[0] and "Traceback" not in r.stderr, r.stderr
