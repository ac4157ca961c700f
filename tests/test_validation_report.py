"""The validation report: figures and pages from validation rows, the [check] inputs, and
docs/validation.md as generated from a fresh validate (so it cannot drift from the code)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from beamdump.experiments.experiment import load_experiment
from beamdump.studies.validation import validate_preset
from beamdump.studies.validation_report import build_rows, checked_inputs, html_page, markdown, write_report

ROOT = Path(__file__).resolve().parents[1]
LIMITS = ROOT.parent / "shared" / "reference" / "limits"
needs_refs = pytest.mark.skipif(not LIMITS.is_dir(), reason="../shared/reference/limits is absent (not a CI checkout)")


def test_checked_inputs_find_every_marked_number():
    cfg = load_experiment("e141").config.model_dump(mode="json")
    found = {path: value for path, value, _ in checked_inputs(cfg)}
    assert found["statistics.events_upper_limit"] == 3419.0
    assert "decay_volume.radius" in found
    assert all("[check" in src for _, _, src in checked_inputs(cfg))


@needs_refs
def test_report_of_one_preset(tmp_path):
    rows = validate_preset("nucal", LIMITS)
    written = write_report(rows, LIMITS, tmp_path)
    names = {p.name for p in written}
    assert {"index.md", "index.html", "nucal_dark-photon_nucal_proton_brems.png", "nucal_b-l_nucal_bl.png"} <= names
    page = (tmp_path / "index.md").read_text()
    assert "| `nucal` | dark-photon | `dark_photon/nucal_proton_brems.csv`" in page and "p90 of 99" in page
    assert "<table>" in (tmp_path / "index.html").read_text()
    report_rows = build_rows(rows, LIMITS)
    assert markdown(report_rows).count("\n| `nucal`") == 2 and "nucal" in html_page(report_rows)


@needs_refs
def test_docs_validation_md_is_what_validate_gives_today():
    spec = importlib.util.spec_from_file_location("make_validation_doc", ROOT / "scripts" / "make_validation_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    fresh = module.document(LIMITS)
    assert (ROOT / "docs" / "validation.md").read_text() == fresh, "run python scripts/make_validation_doc.py"


def test_published_bands_are_labelled_by_their_paper():
    from beamdump.limits.contours import ExclusionBand
    from beamdump.report.plotting import reference_label

    band = ExclusionBand([0.01, 0.1], [1e-7, 1e-7], [1e-5, 1e-5], comments=("paper: arXiv:2303.08666, JHEP 09 (2023) 035",))
    assert reference_label(band, "file.csv") == "published (arXiv:2303.08666)"
    recast = ExclusionBand([0.01, 0.1], [1e-7, 1e-7], [1e-5, 1e-5],
                           comments=("paper: CHARM via arXiv:1311.3870; recast with DarkCast (arXiv:1801.04847)",))
    assert reference_label(recast, "x") == "published (arXiv:1801.04847)"
    assert reference_label(ExclusionBand([0.01, 0.1], [1e-7, 1e-7], [1e-5, 1e-5]), "file.csv") == "file.csv"
