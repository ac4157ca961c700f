"""Output files say what they are about: the coupling's key in the columns, the model and the CL in
comment lines and HEPData qualifiers; the band CSV reads back what was written."""

import csv
import math

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from beamdump.errors import BeamdumpInputError
from beamdump.limits.contours import DEFAULT_COUPLING, ExclusionBand, read_band_csv
from beamdump.models.base import Coupling
from beamdump.report.outputs import hepdata_table, write_channel_contours, write_events_csv, write_hepdata_yaml

G_BL = Coupling("g_BL", r"$g_{B-L}$", "", (1e-10, 1e-1), "B-L gauge coupling")
G_AGG = Coupling("g_agg", r"$g_{agg}$", "GeV^-1", (1e-8, 1e-1))


def band(coupling=DEFAULT_COUPLING, model="dark-photon", cl=0.9, comments=()):
    return ExclusionBand(np.array([0.01, 0.02, 0.05]), np.array([1e-7, 2e-7, 5e-7]), np.array([1e-4, 8e-5, 2e-5]),
                         comments, coupling=coupling, model=model, cl=cl)


def data_lines(path):
    return [ln for ln in path.read_text().splitlines() if not ln.startswith("#")]


def test_events_csv_names_the_coupling_and_the_model(tmp_path):
    m, g = np.array([0.1, 0.2]), np.array([1e-6, 1e-5, 1e-4])
    total = np.arange(6.0).reshape(2, 3)
    write_events_csv(tmp_path / "e.csv", m, g, total, {"eta": total / 2}, coupling=G_BL, model="b-l")
    text = (tmp_path / "e.csv").read_text()
    assert text.startswith("# model: b-l\n# coupling: g_BL (dimensionless)\nmass_gev,g_BL,events,events_eta\n")
    rows = list(csv.DictReader(data_lines(tmp_path / "e.csv")))
    assert len(rows) == 6 and rows[4] == {"mass_gev": "0.2", "g_BL": "1e-05", "events": "4", "events_eta": "2"}
    write_events_csv(tmp_path / "d.csv", m, g, total, {})  # the call form of today: the dark photon
    assert data_lines(tmp_path / "d.csv")[0] == "mass_gev,eps,events"
    assert "# model: dark-photon" in (tmp_path / "d.csv").read_text()


def test_contour_csv_of_a_b_minus_l_band(tmp_path):
    band(G_BL, "b-l").write_csv(tmp_path / "contour.csv")
    text = (tmp_path / "contour.csv").read_text()
    assert "# model: b-l\n" in text and "# coupling: g_BL (dimensionless)\n" in text and "# cl: 0.9\n" in text
    assert data_lines(tmp_path / "contour.csv")[0] == "mass_gev,g_BL_lower,g_BL_upper"
    back = read_band_csv(tmp_path / "contour.csv")
    assert (back.coupling.key, back.model, back.cl) == ("g_BL", "b-l", 0.9)
    assert read_band_csv(tmp_path / "contour.csv", coupling=G_BL).coupling == G_BL
    band(G_AGG, "alp-gluon").write_csv(tmp_path / "a.csv")
    assert "# coupling: g_agg (GeV^-1)\n" in (tmp_path / "a.csv").read_text()
    assert read_band_csv(tmp_path / "a.csv").coupling.unit == "GeV^-1"


def test_channel_contours_use_the_bands_coupling(tmp_path):
    write_channel_contours(tmp_path / "c.csv", {"pi0": band(G_BL), "eta": band(G_BL)})
    rows = list(csv.DictReader((tmp_path / "c.csv").open()))
    assert set(rows[0]) == {"channel", "mass_gev", "g_BL_lower", "g_BL_upper"} and len(rows) == 6
    write_channel_contours(tmp_path / "x.csv", {"nucal": band(), "e137": band(cl=0.95)}, key="experiment")
    assert data_lines(tmp_path / "x.csv")[0] == "experiment,mass_gev,eps_lower,eps_upper"
    with pytest.raises(BeamdumpInputError, match="couplings eps, g_BL differ"):
        write_channel_contours(tmp_path / "y.csv", {"a": band(), "b": band(G_BL)})


def test_hepdata_table_carries_coupling_cl_and_model(tmp_path):
    t = hepdata_table(band(G_AGG, "alp-gluon", cl=0.95), "E137")
    lo, hi = t["dependent_variables"]
    assert lo["header"] == {"name": "g_agg lower edge", "units": "GeV^-1"} and hi["header"]["name"] == "g_agg upper edge"
    assert {"name": "CL", "value": "95%"} in lo["qualifiers"] and {"name": "model", "value": "alp-gluon"} in hi["qualifiers"]
    dp = hepdata_table(band(), "NA62")["dependent_variables"][0]
    assert dp["header"] == {"name": "eps lower edge"} and {"name": "CL", "value": "90%"} in dp["qualifiers"]
    assert hepdata_table(band(), "x", "epsilon")["dependent_variables"][0]["header"]["name"] == "epsilon lower edge"
    write_hepdata_yaml(tmp_path / "c.yaml", band(cl=0.95), "test")
    assert yaml.safe_load((tmp_path / "c.yaml").read_text())["dependent_variables"][1]["qualifiers"][0]["value"] == "95%"
    one = ExclusionBand(np.array([0.1, 0.2]), np.array([1e-7, 2e-7]), np.array([np.nan, 1e-5]))
    assert hepdata_table(one, "")["dependent_variables"][1]["values"] == [{"value": "-"}, {"value": 1e-5}]


def test_reference_style_file_with_missing_upper_edges(tmp_path):
    p = tmp_path / "ref.csv"
    p.write_text(
        "# model: hnl_e\n# coupling: |U_e|^2 (HNL mixing with nu_e only)\n# cl: 95%\n# paper: somewhere\n"
        "mass_gev,coupling_lower,coupling_upper\n1.8,0.01,nan\n1.9,0.006,nan\n2.0,0.004,0.01\n2.1,0.003,\n"
    )
    b = read_band_csv(p)
    assert len(b) == 4 and np.isnan(b.upper[[0, 1, 3]]).all() and b.upper[2] == 0.01
    assert (b.model, b.cl, b.coupling.key, b.comments) == ("hnl_e", 0.95, "|U_e|^2", ("paper: somewhere",))
    p.write_text("# cl: not stated in the source\nmass_gev,coupling_lower,coupling_upper\n1.8,0.01,nan\n")
    assert math.isnan(read_band_csv(p).cl)


def test_a_non_numeric_cell_names_the_file_and_the_line(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("# a comment\nmass_gev,eps_lower,eps_upper\n0.1,1e-7,1e-5\n\n0.2,1e-7 ,n/a\n")
    with pytest.raises(BeamdumpInputError, match=r"bad.csv, line 5: eps_upper = 'n/a' is not a number; allowed:"):
        read_band_csv(p)
    p.write_text("mass_gev,eps_lower,eps_upper\nabc,1e-7,1e-5\n")
    with pytest.raises(BeamdumpInputError, match=r"line 2: mass_gev = 'abc' is not a number; allowed: a finite number$"):
        read_band_csv(p)
    p.write_text("mass_gev,eps_lower,eps_upper\n0.1,1e-7\n")
    with pytest.raises(BeamdumpInputError, match=r"line 2: 2 cells, the header has 3"):
        read_band_csv(p)
    p.write_text("mass_gev,eps_lower,eps_upper\n0.1,nan,nan\n")
    with pytest.raises(BeamdumpInputError, match="no valid rows"):
        read_band_csv(p)


def six(x: float) -> float:
    return float(f"{x:.6g}")


keys = st.sampled_from(["eps", "g_BL", "g_agg", "U2_mu"])
units = st.sampled_from(["", "GeV^-1"])
comment = st.text(st.characters(codec="ascii", exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85"), min_size=1, max_size=30).map(
    str.strip).filter(bool)


@st.composite
def bands(draw):
    n = draw(st.integers(1, 12))
    log_m = sorted(set(draw(st.lists(st.floats(-3, 1), min_size=n, max_size=n))))
    masses = [six(10**x) for x in log_m]
    if len(set(masses)) != len(masses):
        masses = sorted(set(masses))
    lower, upper = [], []
    for _ in masses:
        lo = six(10 ** draw(st.floats(-10, -2)))
        hi = six(lo * 10 ** draw(st.floats(0.01, 5)))
        given_edges = draw(st.sampled_from(["both", "both", "lower", "upper"]))  # a published curve may give one
        lower.append(lo if given_edges != "upper" else math.nan)
        upper.append(hi if given_edges != "lower" else math.nan)
    key, unit = draw(keys), draw(units)
    coupling = DEFAULT_COUPLING if (key, unit) == ("eps", "") else Coupling(key, key, unit, (1e-12, 1.0))
    return ExclusionBand(np.array(masses), np.array(lower), np.array(upper), tuple(draw(st.lists(comment, max_size=3))),
                         coupling=coupling, model=draw(st.sampled_from(["dark-photon", "b-l", "alp-photon"])),
                         cl=six(draw(st.floats(0.5, 0.999))))


@settings(max_examples=60, deadline=None)
@given(bands())
def test_write_read_round_trip(tmp_path_factory, b):
    p = tmp_path_factory.mktemp("rt") / "band.csv"
    b.write_csv(p)
    back = read_band_csv(p)
    np.testing.assert_array_equal(back.masses, b.masses)
    np.testing.assert_array_equal(back.lower, b.lower)
    np.testing.assert_array_equal(back.upper, b.upper)  # NaN where no upper edge
    assert back.comments == b.comments and back.model == b.model and back.cl == b.cl
    assert (back.coupling.key, back.coupling.unit) == (b.coupling.key, b.coupling.unit)
    assert read_band_csv(p, coupling=b.coupling).coupling == b.coupling
    if b.coupling == DEFAULT_COUPLING:
        assert back.coupling == DEFAULT_COUPLING
