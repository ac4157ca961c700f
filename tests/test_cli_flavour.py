"""The command line of the dark scalar and the fermion-coupled ALP: what `beamdump list` shows of
them, and one clear line with exit code 2 on input they cannot take."""

import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "beamdump.cli", *args], capture_output=True, text=True)


def test_list_shows_the_flavour_models_with_units_and_their_presets():
    r = run("list")
    assert r.returncode == 0, r.stderr
    for line in ("coupling sin2theta (dimensionless; default scan 1e-14:0.01)",
                 "coupling g_aff (GeV^-1; default scan 1e-09:0.01)"):
        assert line in r.stdout
    names = {ln.split()[0] for ln in r.stdout.split("Models:")[0].splitlines()[1:] if ln.strip()}
    assert {"belle2-bks-2023", "belle2-50ab", "lhcb-bkmumu-2016", "lhcb-bkstar-2015", "shadows", "icarus-numi",
            "microboone-numi"} <= names
    for channel in ("k_to_pi", "kl_to_pi0", "b_to_k", "b_to_kstar", "b_to_xs", "k_to_pi_at_rest"):
        assert f"\n  {channel} " in r.stdout
    b_to_k = next(ln for ln in r.stdout.splitlines() if ln.startswith("  b_to_k "))
    k_to_pi = next(ln for ln in r.stdout.splitlines() if ln.startswith("  k_to_pi "))
    assert "Upsilon(4S) at an e+e- collider" in b_to_k and "Upsilon" not in k_to_pi  # Belle II's B, not its kaons


@pytest.mark.parametrize(
    "args, words",
    [
        (["reach", "charm", "--model", "scalar", "--couplings", "1e-9:2:50"], "allowed 0 < sin2theta <= 1"),
        (["reach", "e137", "--model", "alp-fermion"], "none of which makes alp-fermion"),
        (["reach", "shadows", "--model", "scalar", "--final-state", "pipipi"], "'pipipi' is not known for scalar; allowed: ee"),
        (["reach", "charm", "--model", "scalar", "--final-state", "zz"], "'zz' is not analysed by charm"),
        (["reach", "belle2-bks-2023", "--model", "dark-photon"], "none of which makes dark-photon"),
        (["compare", "charm", "e137", "--model", "scalar"], "none of which makes scalar"),
        (["reach", "charm", "--model", "scalar", "--coupling", "eps"], "allowed: sin2theta"),
        (["reach", "charm", "--model", "alp-fermion", "--fix", "g_agg=1"], "has the one coupling g_aff"),
    ],
)
def test_bad_flavour_input_is_one_line_and_exit_code_2(tmp_path, args, words):
    r = run(*args, "--out", str(tmp_path))
    assert r.returncode == 2, (r.stdout, r.stderr)
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and words in err[0] and "Traceback" not in r.stderr, r.stderr
    assert not r.stdout.strip()
