"""The public notebook API: the example of docs/api.md runs as written, and importing beamdump
leaves matplotlib (and its backend) alone."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import beamdump as bd

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"


def test_docs_example_runs(tmp_path, monkeypatch, capsys):
    code = "\n".join(re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S))
    assert "bd.reach(" in code
    monkeypatch.chdir(tmp_path)
    exec(compile(code, str(DOC), "exec"), {"__name__": "docs_api"})
    out = capsys.readouterr().out
    ratio = float(re.search(r"lower edge g_BL / eps at 50 MeV: ([0-9.]+)", out).group(1))
    assert ratio == pytest.approx(np.sqrt(4 * np.pi / 137.035999084), rel=0.03)  # g_BL = e·ε for the same π⁰ rate
    lines = (tmp_path / "nucal_bl.csv").read_text().splitlines()
    assert "mass_gev,g_BL_lower,g_BL_upper" in lines
    assert (tmp_path / "nucal_bl.png").stat().st_size > 10_000


def test_api_names_and_errors():
    assert "dark-photon" in bd.list_models() and "b-l" in bd.list_models()
    assert "nucal" in bd.list_experiments()
    assert bd.model("b-l").coupling.key == "g_BL"
    from beamdump.errors import BeamdumpInputError

    with pytest.raises(BeamdumpInputError, match="known models"):
        bd.model("axion")


@pytest.mark.parametrize(
    "code",
    [
        "import beamdump, sys; assert 'matplotlib' not in sys.modules, 'import beamdump loads matplotlib'",
        "import beamdump.report.plotting, sys; assert 'matplotlib.pyplot' not in sys.modules, 'plotting imports pyplot'",
    ],
)
def test_imports_choose_no_backend(code):
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
