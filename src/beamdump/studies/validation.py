"""Rerun the presets that have a published counterpart and score them against it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..engine.analysis import ReachResult, make_reach, run_reach
from ..limits.contours import read_band_csv
from ..experiments.experiment import load_experiment, preset_names
from ..experiments.variants import experiment_with_mesons
from ..report.score import Score, score_band


@dataclass(frozen=True)
class ValidationResult:
    experiment: str
    reference: str
    final_state: str
    channels: tuple[str, ...]
    score: Score
    seconds: float
    result: ReachResult

    def __str__(self) -> str:
        return (
            f"{self.experiment:<16} vs {self.reference:<28} [{self.final_state}; {','.join(self.channels)}] "
            f"{self.score.line()} ({self.seconds:.1f} s)"
        )


# Model names whose reference folder (shared/reference/limits/<folder>) is not the name with "_" for "-".
_REFERENCE_FOLDERS = {"b-l": "b_minus_l"}


def reference_folder(model: str) -> str:
    """The folder of ``model``'s published bands under …/reference/limits (``dark-photon`` →
    ``dark_photon``, ``b-l`` → ``b_minus_l``)."""
    return _REFERENCE_FOLDERS.get(model, model.replace("-", "_"))


def reference_path(reference_dir: Path, reference: str, model: str) -> Path:
    """Where a validation entry's published band is: ``reference`` is ``<model folder>/<file>.csv``
    under ``reference_dir`` (…/reference/limits), or a bare file name in ``model``'s folder."""
    if "/" in reference:
        return Path(reference_dir) / reference
    return Path(reference_dir) / reference_folder(model) / reference


def validate_preset(
    name: str, reference_dir: Path, model: str = "dark-photon", mesons: str | None = None
) -> list[ValidationResult]:
    """Every validation entry of one preset whose reference file exists under ``reference_dir``.
    ``mesons`` ("nucleon", "nucleus" or "cascade") replaces the meson-production model of proton fixed-target
    presets (the others are run as they are)."""
    exp = load_experiment(name)
    if mesons is not None:
        exp = experiment_with_mesons(exp, mesons, strict=False)
    out = []
    for v in exp.config.validation:
        if getattr(v, "model", model) != model:  # an entry of another model: scored when that model is validated
            continue
        ref_path = reference_path(reference_dir, v.reference, model)
        if not ref_path.exists():
            continue
        t0 = time.perf_counter()
        engine = make_reach(exp, model, final_states=[v.final_state], channels=v.channels)
        res = run_reach(engine)
        score = score_band(res.band, read_band_csv(ref_path))  # an edge the reference lacks: None
        out.append(
            ValidationResult(name, v.reference, v.final_state, res.channels, score, time.perf_counter() - t0, res)
        )
    return out


def validate_all(reference_dir: Path, model: str = "dark-photon", mesons: str | None = None) -> list[ValidationResult]:
    """All presets with a reference under ``reference_dir`` (…/reference/limits)."""
    rows: list[ValidationResult] = []
    for name in preset_names():
        rows += validate_preset(name, reference_dir, model, mesons)
    return rows
