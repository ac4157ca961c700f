"""Rerun the presets that have a published counterpart and score them against it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..engine.analysis import ReachResult, make_reach, run_reach
from ..limits.contours import read_band_csv
from ..experiments.config import ValidationConfig
from ..experiments.experiment import CombinedExperiment, Experiment, load_experiment, preset_names
from ..experiments.variants import experiment_with_mesons
from ..limits.stats import LimitSettings
from ..report.score import Score, score_band


@dataclass(frozen=True)
class ValidationResult:
    experiment: str
    reference: str
    model: str
    final_state: str
    channels: tuple[str, ...]
    score: Score
    seconds: float
    result: ReachResult

    def __str__(self) -> str:
        return (
            f"{self.experiment:<16} {self.model:<12} vs {self.reference:<40} [{self.final_state}; {','.join(self.channels)}] "
            f"{self.score.line()} ({self.seconds:.1f} s)"
        )


def entry_limit(exp: Experiment | CombinedExperiment, v: ValidationConfig) -> LimitSettings:
    """The statistics a validation entry's reinterpretation used: the preset's, with the entry's
    CL and N_up where it states them."""
    changes: dict[str, float] = {}
    if v.cl is not None:
        changes["cl"] = v.cl
    if v.events_upper_limit is not None:
        changes["events_upper_limit"] = float(v.events_upper_limit.value)
    return replace(exp.limit_for(v.final_states), **changes)


def validate_preset(
    name: str, reference_dir: Path, model: str | None = None, mesons: str | None = None
) -> list[ValidationResult]:
    """Every validation entry of one preset (of ``model`` only, when given) whose reference file
    exists under ``reference_dir`` (…/reference/limits; an entry's ``reference`` is
    ``<model folder>/<file>.csv`` there). ``mesons`` ("nucleon", "nucleus" or "cascade") replaces the
    meson-production model of proton fixed-target presets (the others are run as they are)."""
    exp = load_experiment(name)
    if mesons is not None:
        exp = experiment_with_mesons(exp, mesons, strict=False)
    out = []
    for v in exp.config.validation:
        if model is not None and v.model != model:
            continue
        ref_path = Path(reference_dir) / v.reference
        if not ref_path.exists():
            continue
        t0 = time.perf_counter()
        engine = make_reach(exp, v.model, final_states=list(v.final_states), channels=v.channels)
        res = run_reach(engine, limit=entry_limit(exp, v))
        score = score_band(res.band, read_band_csv(ref_path))  # an edge the reference lacks: None
        out.append(
            ValidationResult(
                name, v.reference, v.model, v.final_state, res.channels, score, time.perf_counter() - t0, res
            )
        )
    return out


def validate_all(
    reference_dir: Path, model: str | None = None, mesons: str | None = None, progress: Callable[[ValidationResult], None] | None = None
) -> list[ValidationResult]:
    """All presets with a reference under ``reference_dir`` (…/reference/limits), every model or
    ``model`` only; ``progress`` is called with each result as it is made."""
    rows: list[ValidationResult] = []
    for name in preset_names():
        for row in validate_preset(name, reference_dir, model, mesons):
            rows.append(row)
            if progress is not None:
                progress(row)
    return rows
