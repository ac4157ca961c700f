"""Parsing and checking of command-line values shared by the commands; each bad value is a
one-line :class:`~beamdump.errors.BeamdumpInputError` naming the option and what is allowed."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import BeamdumpInputError

REFERENCE_SUBDIR = Path("shared") / "reference" / "limits"  # the project's published bands, beside a checkout
MAX_GRID_CELLS = 1_000_000  # a reach map larger than this writes an events.csv of ~60 MB


def parse_range(text: str, what: str) -> tuple[float, float, int]:
    """'MIN:MAX:N' → (min, max, n); a malformed text names the option and the format."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        lo, hi, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise BeamdumpInputError(f"{what}: {text!r} must be MIN:MAX:N (e.g. 0.01:1.0:100)") from None
    return lo, hi, n


def parse_pair(text: str, what: str) -> tuple[float, float]:
    """'MIN:MAX' → (min, max); a malformed text names the option and the format."""
    parts = text.split(":")
    try:
        if len(parts) != 2:
            raise ValueError
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise BeamdumpInputError(f"{what}: {text!r} must be MIN:MAX (e.g. 0.1:0.9)") from None


def parse_fixed(items: list[str] | None) -> dict[str, float]:
    """'KEY=VALUE' options → {key: value}; a malformed item names the option and the format."""
    out: dict[str, float] = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        try:
            if not sep or not key:
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise BeamdumpInputError(f"--fix: {item!r} must be KEY=VALUE (a coupling key and a number)") from None
    return out


def parse_mixing(text: str) -> dict[str, float]:
    """'E:MU:TAU' (--mixing, e.g. 1:1:0) → {"e": .., "mu": .., "tau": ..}: three numbers >= 0, one > 0."""
    parts = text.split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        values = [float(p) for p in parts]
    except ValueError:
        raise BeamdumpInputError(f"--mixing: {text!r} must be E:MU:TAU, three ratios U_e^2:U_mu^2:U_tau^2 (e.g. 1:1:0)") from None
    if not all(v >= 0.0 and v < float("inf") for v in values) or not any(v > 0.0 for v in values):
        raise BeamdumpInputError(f"--mixing: {text!r}; allowed three finite ratios >= 0, at least one > 0")
    return dict(zip(("e", "mu", "tau"), values))


def model_option(
    name: str | None, coupling: str | None, fix: list[str] | None, preset_model: str = "dark-photon",
    mixing: str | None = None, dirac: bool = False,
):
    """The model for --model (none given: the preset's own, ``preset_model``), scanning --coupling
    with the --fix values held; for a heavy neutral lepton --mixing E:MU:TAU sets the ratios
    U_e²:U_μ²:U_τ² (the scanned coupling is then U2 = their sum) and --dirac makes it a Dirac HNL."""
    from ..models import get_model

    model = get_model(name or preset_model, scan=coupling, fixed=parse_fixed(fix))
    if mixing is None and not dirac:
        return model
    from ..models.hnl import HeavyNeutralLepton

    if not isinstance(model, HeavyNeutralLepton):
        option = "--mixing" if mixing is not None else "--dirac"
        raise BeamdumpInputError(f"{option}: applies to heavy neutral leptons (--model hnl, hnl-e, hnl-mu, hnl-tau); {model.name} is not one")
    if mixing is not None:
        model = model.with_mixing(parse_mixing(mixing))
    return model.as_dirac() if dirac else model


def check_seed(seed: int) -> None:
    """--seed must be a non-negative integer (numpy's generators refuse negative ones)."""
    if seed < 0:
        raise BeamdumpInputError(f"--seed: {seed}; allowed an integer >= 0")


def output_dir(out: Path) -> None:
    """Create ``out`` and check that it can be written, before any work (--out)."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".beamdump-write-test-{os.getpid()}"
        probe.write_bytes(b"")  # an existing folder we cannot write is found now, not after the work
        probe.unlink()
    except OSError as exc:
        raise BeamdumpInputError(f"--out: {out} cannot be used as an output directory ({exc.strerror})") from None


def grids_and_out(out: Path, masses: str | None, couplings: str | None):
    """Create the output directory and parse the grids (GeV, coupling units; None: the
    defaults); bad values are one-line input errors, a grid above MAX_GRID_CELLS is refused."""
    from ..engine.analysis import log_range

    output_dir(out)
    m_grid = log_range(*parse_range(masses, "--masses"), "--masses") if masses is not None else None
    g_grid = log_range(*parse_range(couplings, "--couplings"), "--couplings") if couplings is not None else None
    if m_grid is not None and g_grid is not None and len(m_grid) * len(g_grid) > MAX_GRID_CELLS:
        raise BeamdumpInputError(
            f"--masses x --couplings: {len(m_grid)} x {len(g_grid)} = {len(m_grid) * len(g_grid):,} cells "
            f"(events.csv of ~{len(m_grid) * len(g_grid) * 60 / 1e6:.0f} MB); allowed up to {MAX_GRID_CELLS:,}"
        )
    return m_grid, g_grid


def check_final_states_open(engine, masses) -> None:
    """Masses (GeV) all below every final state's threshold would run and exclude nothing: say why instead."""
    states = engine.model.final_states()
    lowest = min(states[fs].threshold for fs in engine.final_states)
    top = float(max(masses))
    if top <= lowest:
        raise BeamdumpInputError(
            f"--masses: up to {top:.4g} GeV, but {'+'.join(engine.final_states)} opens at "
            f"{lowest:.4g} GeV; allowed masses above it (or another --final-state)"
        )


def reference_candidates() -> list[Path]:
    """Where ``validate`` looks for the published bands when --reference-dir is not given:
    ``../shared/reference/limits`` from the working directory, then beside the checkout this
    package runs from (an editable install: ``<checkout>/../shared/reference/limits``)."""
    checkout = Path(__file__).resolve().parents[3]  # src/beamdump/cli/options.py → the checkout
    found = [Path.cwd().parent / REFERENCE_SUBDIR, checkout.parent / REFERENCE_SUBDIR]
    return list(dict.fromkeys(p.resolve() for p in found))


def reference_dir_option(given: Path | None) -> Path:
    """The folder of published bands (--reference-dir): ``given``, else the first of
    :func:`reference_candidates` that exists; a missing one says where the bands are looked for."""
    where = "the project's shared/reference/limits: one CSV per published band, in a folder per model (dark_photon/, alp_photon/, …)"
    if given is not None:
        if not given.is_dir():
            raise BeamdumpInputError(f"--reference-dir: {given} is not a folder; allowed a folder of published bands ({where})")
        return given
    for path in reference_candidates():
        if path.is_dir():
            return path
    tried = " or ".join(str(p) for p in reference_candidates())
    raise BeamdumpInputError(
        f"--reference-dir: not given and no published bands at {tried}; give --reference-dir PATH to {where}"
    )
