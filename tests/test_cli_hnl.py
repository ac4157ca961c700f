"""The HNL options of the command line: --mixing E:MU:TAU and --dirac (one-line errors, rc 2), and
a mixed-flavour reach whose contour names the scanned coupling U2."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "beamdump.cli", *args], capture_output=True, text=True, cwd=cwd)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--model", "hnl", "--mixing", "1:1"], "--mixing: '1:1' must be E:MU:TAU"),
        (["--model", "hnl", "--mixing", "0:0:0"], "--mixing: '0:0:0'; allowed three finite ratios >= 0, at least one > 0"),
        (["--model", "hnl", "--mixing", "1:-1:0"], "allowed three finite ratios >= 0"),
        (["--model", "dark-photon", "--mixing", "1:1:0"], "--mixing: applies to heavy neutral leptons"),
        (["--model", "scalar", "--dirac"], "--dirac: applies to heavy neutral leptons"),
    ],
)
def test_bad_hnl_options_are_one_line_and_exit_code_2(tmp_path, args, message):
    r = run("reach", "charm", *args, "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_mixed_flavour_dirac_reach_scans_u2(tmp_path):
    out = tmp_path / "out"
    r = run("reach", "bebc", "--model", "hnl", "--mixing", "1:1:0", "--dirac", "--masses", "0.5:1.5:4",
            "--couplings", "1e-9:1e-3:30", "--out", str(out))
    assert r.returncode == 0, r.stderr
    lines = (out / "contour.csv").read_text().splitlines()
    assert "# model: hnl-dirac" in lines
    header = next(line for line in lines if not line.startswith("#"))
    assert header == "mass_gev,U2_lower,U2_upper"
