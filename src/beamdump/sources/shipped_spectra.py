"""The meson spectrum tables shipped in ``beamdump/data/spectra``: their settings, file names and lookup.

Units: beam energies and √s in GeV, angles in rad; a table holds mesons per beam proton
(:mod:`.meson_table`). Shipped are fixed-target tables on isoscalar nucleons
(``pythia8_p<E>gev.npz``, :func:`default_spectra`), LHC forward tables of pp at √s with a tune of
``pythia_tunes.toml`` (``pythia8_pp<√s>gev_<tune>.npz``, θ < 0.1 rad, :func:`collider_spectra`)
and p+A tables: the first collision from Angantyr (``pythia8_p<E>gev_<nucleus>.npz``) and the
hadronic cascade's later collisions (``…_secondaries.npz``), :func:`nuclear_spectra`. The
``*_settings`` functions give the :class:`~.spectrum_settings.SpectrumSettings` that
``scripts/make_spectra_tables.py`` generates them with, the ``*_table_name`` ones their file names.
"""

from __future__ import annotations

import math
import re

from beamdump.datafiles import load_toml, package_data, read_table
from beamdump.errors import BeamdumpInputError
from beamdump.sources.meson_table import ARRAY_NAMES, MesonSpectra
from beamdump.sources.nuclear_targets import angantyr_options, get_nucleus
from beamdump.sources.spectrum_settings import TARGETS, SpectrumSettings

__all__ = [
    "CASCADE_MIN_EKIN",
    "COLLIDER_LOG10_THETA_MAX",
    "collider_settings",
    "collider_spectra",
    "collider_table_name",
    "default_spectra",
    "nuclear_settings",
    "nuclear_spectra",
    "nuclear_table_name",
    "nucleon_table_name",
    "pythia_tune",
    "shipped_energies",
    "shipped_table_lines",
]

# ---------------------------------------------------------------------- fixed-target nucleon tables
_SHIPPED = re.compile(r"^pythia8_p(\d+)gev\.npz$")


def shipped_energies() -> tuple[float, ...]:
    """Beam energies (GeV) of the tables shipped in ``beamdump/data/spectra``."""
    found = (m.group(1) for m in (_SHIPPED.match(f.name) for f in package_data("spectra").iterdir()) if m)
    return tuple(sorted(float(e) for e in found))


def shipped_table_lines() -> list[str]:
    """One line per table shipped in ``data/spectra``: file, beam and target, statistics."""
    lines = []
    for path in sorted(package_data("spectra").glob("pythia8_*.npz")):
        meta, _ = read_table(path, ARRAY_NAMES, "spectrum table")
        st = meta["settings"]
        if st.get("frame") == "collider":
            what = f"pp collider, sqrt(s) = {2 * st['beam_energy_gev']:g} GeV, tune '{path.stem.rsplit('_', 1)[-1]}'"
        elif st.get("cascade_min_ekin") is not None:
            what = (f"{st['beam_energy_gev']:g} GeV p in a {st['target']} dump: the cascade's later collisions "
                    f"(PythiaCascade, E_kin > {st['cascade_min_ekin']:g} GeV)")
        else:
            target = {"isoscalar": "nucleons (pp/pn)"}.get(st["target"], st["target"])
            what = f"{st['beam_energy_gev']:g} GeV p on {target if st['target'] in TARGETS else f'{target} nuclei (Angantyr p+A)'}"
        unit = "protons" if st.get("cascade_min_ekin") is not None else "collisions"
        lines.append(f"{path.name:<38} {what}; {meta['n_events']:.3g} {unit}")
    return lines


def default_spectra(beam_energy_gev: float) -> MesonSpectra:
    """The shipped Pythia 8 table for a proton beam of ``beam_energy_gev`` (GeV) on an isoscalar target."""
    energies = shipped_energies()
    match = [e for e in energies if math.isclose(e, float(beam_energy_gev), rel_tol=1e-9)]
    if not match:
        listed = ", ".join(f"{e:g}" for e in energies) or "none"
        raise BeamdumpInputError(
            f"beam_energy_gev={beam_energy_gev:g}: no shipped meson spectra; shipped energies (GeV): {listed}. "
            "Use cached_spectra(SpectrumSettings(beam_energy_gev=...)) to generate one."
        )
    return MesonSpectra.load(package_data("spectra", nucleon_table_name(match[0])))


def nucleon_table_name(beam_energy_gev: float) -> str:
    """File name of a shipped fixed-target table on isoscalar nucleons."""
    return f"pythia8_p{float(beam_energy_gev):.0f}gev.npz"


def _load_shipped(name: str, pattern: str, problem: str, how_to_make: str) -> MesonSpectra:
    """The shipped table ``name``; if absent, an input error stating ``problem``, the shipped
    tables matching ``pattern`` and ``how_to_make`` one."""
    path = package_data("spectra", name)
    if not path.exists():
        shipped = sorted(p.name for p in package_data("spectra").glob(pattern))
        raise BeamdumpInputError(f"{problem}; shipped: {', '.join(shipped) or 'none'} ({how_to_make})")
    return MesonSpectra.load(path)


# ---------------------------------------------------------------------- LHC forward tables
COLLIDER_LOG10_THETA_MAX = -1.0  # keep θ < 0.1 rad: every forward detector (FASER, FASER2, SND@LHC) sits far inside


def pythia_tune(name: str) -> tuple[str, ...]:
    """The readString lines of a named tune in ``data/spectra/pythia_tunes.toml``."""
    tunes = load_toml(package_data("spectra", "pythia_tunes.toml"))
    if name not in tunes:
        raise BeamdumpInputError(f"tune: {name!r} is not known; known tunes: {', '.join(tunes)}")
    return tuple(str(o) for o in tunes[name]["options"])


def collider_settings(ecm_gev: float, tune: str = "forward", n_events: int = 100_000, seed: int = 1,
                      chunk_size: int = 25_000) -> SpectrumSettings:
    """Settings of an LHC forward table: pp at √s = ``ecm_gev``, +z hemisphere, θ < 0.1 rad."""
    return SpectrumSettings(
        beam_energy_gev=0.5 * float(ecm_gev), n_events=n_events, seed=seed, chunk_size=chunk_size, target="pp",
        frame="collider", log10_theta_max=COLLIDER_LOG10_THETA_MAX, pythia_options=pythia_tune(tune),
    )


def collider_table_name(ecm_gev: float, tune: str) -> str:
    """File name of a shipped LHC table."""
    return f"pythia8_pp{float(ecm_gev):.0f}gev_{tune}.npz"


def collider_spectra(ecm_gev: float, tune: str = "forward") -> MesonSpectra:
    """The shipped Pythia 8 forward table for pp at √s = ``ecm_gev`` (GeV) with ``tune``."""
    pythia_tune(tune)  # unknown tunes name the known ones
    return _load_shipped(
        collider_table_name(ecm_gev, tune), "pythia8_pp*gev_*.npz",
        f"collider spectra: no shipped table for sqrt(s) = {ecm_gev:g} GeV, tune {tune!r}",
        "scripts/make_spectra_tables.py --collider makes one",
    )


# ---------------------------------------------------------------------- p+A (Angantyr) tables
CASCADE_MIN_EKIN = 5.0  # GeV: the shipped cascade tables follow hadrons down to this kinetic energy


def nuclear_settings(beam_energy_gev: float, nucleus: str, n_events: int = 100_000, seed: int = 1,
                     chunk_size: int = 25_000, cascade_min_ekin: float | None = None) -> SpectrumSettings:
    """Settings of a p+A table: protons of ``beam_energy_gev`` (GeV) on ``nucleus`` at rest, whole
    collisions from Angantyr with the sub-collision fit stored for that energy (``nuclei.toml``);
    with ``cascade_min_ekin`` (GeV) the whole hadronic cascade in the dump (PythiaCascade) instead."""
    options = angantyr_options(beam_energy_gev, nucleus) if cascade_min_ekin is None else ()
    return SpectrumSettings(
        beam_energy_gev=beam_energy_gev, n_events=n_events, seed=seed, chunk_size=chunk_size, target=nucleus,
        pythia_options=options, cascade_min_ekin=cascade_min_ekin,
    )


def nuclear_table_name(beam_energy_gev: float, nucleus: str, cascade: bool = False) -> str:
    """File name of a shipped p+A table (``_secondaries``: the cascade's later collisions)."""
    return f"pythia8_p{float(beam_energy_gev):.0f}gev_{nucleus}{'_secondaries' if cascade else ''}.npz"


def nuclear_spectra(beam_energy_gev: float, nucleus: str, cascade: bool = False) -> MesonSpectra:
    """The shipped table for protons of ``beam_energy_gev`` (GeV) on ``nucleus``: the first p+A
    collision (Angantyr), or with ``cascade`` every generation of the hadronic cascade."""
    get_nucleus(nucleus)  # unknown names list the known ones
    first = _shipped_nuclear(beam_energy_gev, nucleus, False)
    return first.plus(_shipped_nuclear(beam_energy_gev, nucleus, True)) if cascade else first


def _shipped_nuclear(beam_energy_gev: float, nucleus: str, cascade: bool) -> MesonSpectra:
    flag = f" --cascade {CASCADE_MIN_EKIN:g}" if cascade else ""
    return _load_shipped(
        nuclear_table_name(beam_energy_gev, nucleus, cascade), "pythia8_p[0-9]*gev_*.npz",
        f"beam.meson_production = '{'cascade' if cascade else 'nucleus'}': no shipped table for "
        f"{beam_energy_gev:g} GeV p on {nucleus}",
        f"scripts/make_spectra_tables.py --energies {beam_energy_gev:g} --nucleus {nucleus}{flag} makes one beside them",
    )
