"""The meson spectrum tables shipped in ``beamdump/data/spectra``: their settings, file names and lookup.

Units: beam energies and √s in GeV, angles in rad; a table holds mesons per beam proton
(:mod:`.meson_table`). Shipped are fixed-target tables on isoscalar nucleons
(``pythia8_p<E>gev.npz``, :func:`default_spectra`), LHC forward tables of pp at √s with a tune of
``pythia_tunes.toml`` (``pythia8_pp<√s>gev_<tune>.npz``, θ < 0.1 rad, :func:`collider_spectra`)
and p+A tables: the first collision from Angantyr (``pythia8_p<E>gev_<nucleus>.npz``) and the
hadronic cascade's later collisions (``…_secondaries.npz``), :func:`nuclear_spectra`. The
``*_settings`` functions give the :class:`~.spectrum_settings.SpectrumSettings` that
``scripts/make_spectra_tables.py`` generates them with, the ``*_table_name`` ones their file names.
At a beam energy (nucleus, tune) with no shipped table, the ``*_spectra`` functions take a table
that ``beamdump spectra generate`` put in the cache, or name the command that makes it
(:mod:`.spectra_lookup`).
"""

from __future__ import annotations

import re

from beamdump.datafiles import load_toml, package_data
from beamdump.errors import BeamdumpInputError
from beamdump.sources.meson_table import MesonSpectra
from beamdump.sources.nuclear_targets import angantyr_options, get_nucleus
from beamdump.sources.spectra_lookup import (
    GENERATE_CHUNK,
    GENERATE_EVENTS,
    TableRequest,
    cached_tables,
    find_tables,
    number_option,
)
from beamdump.sources.spectrum_settings import DEFAULT_PDG_IDS, TARGETS, SpectrumSettings

__all__ = [
    "CASCADE_MIN_EKIN",
    "COLLIDER_LOG10_THETA_MAX",
    "cached_table_lines",
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
    from beamdump.sources.table_info import read_meta

    lines = []
    for path in sorted(package_data("spectra").glob("pythia8_*.npz")):
        meta = read_meta(path)  # the metadata alone: the arrays (and their checksum) are read when a table is used
        st = SpectrumSettings.from_dict(meta["settings"])
        lines.append(f"{path.name:<38} {_describe(st)}; {meta['n_events']:.3g} {_unit(st)}")
    return lines


def cached_table_lines() -> list[str]:
    """One line per meson table generated into the cache (``beamdump spectra generate``): beam and
    target, statistics, Pythia version, file. Unreadable files are skipped with a warning."""
    return [f"{_describe(c.settings)}; {c.n_events:.3g} {_unit(c.settings)}, Pythia {c.settings.pythia_version}: {c.path}"
            for c in cached_tables()]


def _describe(st: SpectrumSettings) -> str:
    """A table's beam and target in words (and its processes and species when not the defaults)."""
    if st.processes != SpectrumSettings.processes or st.pdg_ids != DEFAULT_PDG_IDS:
        return f"{_describe_beam(st)}; {' + '.join(st.processes)}, species {' '.join(map(str, st.pdg_ids))}"
    return _describe_beam(st)


def _describe_beam(st: SpectrumSettings) -> str:
    e = st.beam_energy_gev
    if st.frame == "collider":
        return f"pp collider, sqrt(s) = {2 * e:g} GeV, tune '{_tune_name(st.pythia_options)}'"
    if st.cascade_min_ekin is not None:
        return f"{e:g} GeV p in a {st.target} dump: the cascade's later collisions (PythiaCascade, E_kin > {st.cascade_min_ekin:g} GeV)"
    if st.target in TARGETS:
        return f"{e:g} GeV p on {'nucleons (pp/pn)' if st.target == 'isoscalar' else st.target}"
    return f"{e:g} GeV p on {st.target} nuclei (Angantyr p+A)"


def _unit(st: SpectrumSettings) -> str:
    return "protons" if st.cascade_min_ekin is not None else "collisions"


def _tune_name(options: tuple[str, ...]) -> str:
    """The name in ``pythia_tunes.toml`` of a tune's readString lines (else "custom")."""
    tunes = load_toml(package_data("spectra", "pythia_tunes.toml"))
    return next((name for name, t in tunes.items() if tuple(str(o) for o in t["options"]) == options), "custom")


def default_spectra(beam_energy_gev: float) -> MesonSpectra:
    """The Pythia 8 table for a proton beam of ``beam_energy_gev`` (GeV) on isoscalar nucleons:
    shipped, else generated in the cache (:mod:`.spectra_lookup`), else an input error with the
    ``beamdump spectra generate`` command that makes it."""
    e = float(beam_energy_gev)
    request = TableRequest(
        SpectrumSettings(beam_energy_gev=e, n_events=GENERATE_EVENTS, seed=1, chunk_size=GENERATE_CHUNK),
        f"--beam-energy {number_option(e)}", nucleon_table_name(e), f"{e:g} GeV p on nucleons (pp/pn)", "nucleon",
    )
    shipped = ", ".join(f"{x:g}" for x in shipped_energies()) + " GeV"
    return find_tables([request], f"beam.energy_gev = {e:g}", shipped)[0]


def nucleon_table_name(beam_energy_gev: float) -> str:
    """File name of a shipped fixed-target table on isoscalar nucleons."""
    return f"pythia8_p{float(beam_energy_gev):.0f}gev.npz"


def _shipped_names(pattern: str) -> str:
    """The shipped tables whose file names match ``pattern``, comma-separated (without the kaon,
    charm and beauty parent tables of :mod:`.flavour_spectra`, which a reach does not read here)."""
    from beamdump.sources.flavour_spectra import shipped_flavour_tables

    parents = set(shipped_flavour_tables())
    return ", ".join(sorted(p.name for p in package_data("spectra").glob(pattern) if p.name not in parents))


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
    """The Pythia 8 forward table for pp at √s = ``ecm_gev`` (GeV) with ``tune``: shipped, else
    generated in the cache, else an input error with the command that makes it."""
    ecm = float(ecm_gev)
    request = TableRequest(
        collider_settings(ecm, tune, n_events=GENERATE_EVENTS, chunk_size=GENERATE_CHUNK),  # unknown tunes: known ones
        f"--ecm {number_option(ecm)} --tune {tune}", collider_table_name(ecm, tune),
        f"pp at sqrt(s) = {ecm:g} GeV with tune {tune!r}", "collider",
    )
    return find_tables([request], f"beam.energy_gev = {ecm:g} (sqrt(s))", _shipped_names("pythia8_pp*gev_*.npz"))[0]


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
    """The table for protons of ``beam_energy_gev`` (GeV) on ``nucleus``: the first p+A collision
    (Angantyr), or with ``cascade`` plus the later collisions of the hadronic cascade
    (``CASCADE_MIN_EKIN``). Each is shipped, else generated in the cache, else an input error with
    the commands that make the missing ones."""
    get_nucleus(nucleus)  # unknown names list the known ones
    e = float(beam_energy_gev)
    requests = [_nuclear_request(e, nucleus, False)] + ([_nuclear_request(e, nucleus, True)] if cascade else [])
    tables = _find_nuclear(requests, cascade)
    return tables[0].plus(tables[1]) if cascade else tables[0]


def _shipped_nuclear(beam_energy_gev: float, nucleus: str, cascade: bool) -> MesonSpectra:
    """One part of :func:`nuclear_spectra` alone: the first p+A collision's table, or (``cascade``)
    the cascade's later collisions' (shipped or cached)."""
    return _find_nuclear([_nuclear_request(float(beam_energy_gev), nucleus, cascade)], cascade)[0]


def _find_nuclear(requests: list[TableRequest], cascade: bool) -> list[MesonSpectra]:
    field = f"beam.meson_production = '{'cascade' if cascade else 'nucleus'}'"
    return find_tables(requests, field, _shipped_names("pythia8_p[0-9]*gev_*.npz"))


def _nuclear_request(beam_energy_gev: float, nucleus: str, cascade: bool) -> TableRequest:
    """The first p+A collision's table, or (``cascade``) the cascade's later collisions."""
    cut = CASCADE_MIN_EKIN if cascade else None
    settings = nuclear_settings(beam_energy_gev, nucleus, n_events=GENERATE_EVENTS, chunk_size=GENERATE_CHUNK,
                                cascade_min_ekin=cut)
    options = f"--beam-energy {number_option(beam_energy_gev)} --target {nucleus}"
    what = f"{beam_energy_gev:g} GeV p on {nucleus}"
    if cascade:
        options += f" --cascade {number_option(CASCADE_MIN_EKIN)}"
        what += f" (the cascade's later collisions, E_kin > {CASCADE_MIN_EKIN:g} GeV)"
    return TableRequest(settings, options, nuclear_table_name(beam_energy_gev, nucleus, cascade), what,
                        "cascade" if cascade else "nucleus")
