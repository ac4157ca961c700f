"""What moves the ALP (a → γγ) bands against their published counterparts?

For every alp-photon validation entry: the nominal score and signed shifts against the reference,
then the same with one input changed at a time — the nuclear form factor (Helm instead of
Tsai), the incoherent (proton) term, the photon directions of the shower, the production channel,
the energy threshold, the shield and decay lengths, a signal efficiency — each printed as the
signed median shift of log10 g of the lower and upper edge against the reference (+: weaker lower
limit / higher upper edge) and the change of the largest excluded mass.

    python scripts/vary_alp.py [--reference-dir ../shared/reference/limits] [--preset e137]
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable
from pathlib import Path

from beamdump.engine.analysis import make_reach, run_reach
from beamdump.experiments.experiment import Experiment, load_experiment
from beamdump.experiments.variants import with_decay_length, with_energy_threshold, with_shield_length
from beamdump.limits.contours import read_band_csv
from beamdump.production.primakoff_photons import Converter, PrimakoffPhotonChannel
from beamdump.report.score import edge_shifts, score_band
from beamdump.studies.validation import entry_limit

ROOT = Path(__file__).resolve().parents[1]
PRIMAKOFF_OPTIONS = ("nuclear", "incoherent", "shower_angles")


def _variant_channels(reach, **options):
    """The engine with its Primakoff channels rebuilt with ``options`` (fields they have)."""
    out = []
    for c in reach.channels:
        fields = {f.name for f in dataclasses.fields(c)}
        out.append(dataclasses.replace(c, **{k: v for k, v in options.items() if k in fields}))
    reach.channels = tuple(out)
    return reach


def _tan_at(reach, z: float):
    out = []
    for c in reach.channels:
        if isinstance(c, PrimakoffPhotonChannel) and c.converter.z_front > 0:
            conv = c.converter
            c = dataclasses.replace(c, converter=Converter(conv.material, z, conv.radius, conv.thickness))
        out.append(c)
    reach.channels = tuple(out)
    return reach


def variations(exp: Experiment) -> dict[str, tuple[Experiment, Callable | None, list[str] | None]]:
    """Name → (experiment, engine modifier, channels) of each variation that applies to ``exp``."""
    cfg = exp.config
    out: dict[str, tuple[Experiment, Callable | None, list[str] | None]] = {
        "Helm nuclear form factor": (exp, lambda r: _variant_channels(r, nuclear="helm"), None),
        "no incoherent (proton) term": (exp, lambda r: _variant_channels(r, incoherent=False), None),
        "signal efficiency x 0.5": (
            dataclasses.replace(exp, efficiencies={k: 0.5 * v for k, v in exp.efficiencies.items()}), None, None),
        "energy thresholds x 1.5": (Experiment.from_config(with_energy_threshold(cfg, 1.5)), None, None),
        "energy thresholds x 0.67": (Experiment.from_config(with_energy_threshold(cfg, 0.67)), None, None),
    }
    if cfg.beam.particle == "electron":
        out["shower photons on the beam axis (no angles)"] = (exp, lambda r: _variant_channels(r, shower_angles=False), None)
    if cfg.decay_volume.z_end.value < 1e6:
        out["decay region x 2 long"] = (Experiment.from_config(with_decay_length(cfg, 2.0)), None, None)
    out["shield + 1 m"] = (Experiment.from_config(with_shield_length(cfg, 1.0)), None, None)
    if "primakoff_meson_photons" in cfg.channels and "primakoff_proton" in cfg.channels:
        out["meson photons and proton photons"] = (exp, None, ["primakoff_meson_photons", "primakoff_proton"])
    if cfg.primakoff is not None:
        out["absorber 10 m closer to the source"] = (exp, lambda r: _tan_at(r, cfg.primakoff.z.value - 10.0), None)
    if cfg.name == "e137":
        out["photons not required on the calorimeter"] = (exp, None, None)  # handled below
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference-dir", type=Path, default=ROOT.parent / "shared" / "reference" / "limits")
    ap.add_argument("--preset", action="append", default=None, help="only these presets (repeat)")
    args = ap.parse_args()
    presets = args.preset or ["e137", "charm", "na64-alp-2020", "faser-alp-2024"]
    for name in presets:
        exp = load_experiment(name)
        for v in exp.config.validation:
            if v.model != "alp-photon" or not (args.reference_dir / v.reference).exists():
                continue
            ref = read_band_csv(args.reference_dir / v.reference)
            limit = entry_limit(exp, v)

            def run(e: Experiment, modify: Callable | None = None, channels: list[str] | None = None):
                reach = make_reach(e, v.model, final_states=[v.final_state], channels=channels or v.channels)
                if modify is not None:
                    reach = modify(reach)
                return run_reach(reach, limit=limit).band

            nominal = run(exp)
            s = score_band(nominal, ref)
            lo, hi, top = edge_shifts(ref, nominal)
            print(f"\n{name} vs {v.reference}: {s.line()}")
            print(f"  {'nominal':48s} lower {lo:+.3f}  upper {hi:+.3f}  m_max {top:+.0%}")
            for label, (e, modify, chans) in variations(exp).items():
                if label == "photons not required on the calorimeter":
                    data = e.config.model_dump()
                    data["detector"]["final_state"].pop("gg", None)
                    from beamdump.experiments.config import ExperimentConfig

                    e = Experiment.from_config(ExperimentConfig.model_validate(data))
                band = run(e, modify, chans)
                lo, hi, top = edge_shifts(ref, band)
                print(f"  {label:48s} lower {lo:+.3f}  upper {hi:+.3f}  m_max {top:+.0%}")


if __name__ == "__main__":
    main()
