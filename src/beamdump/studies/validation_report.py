"""The validation report: per published curve a figure of our band over it, and one page
(Markdown and HTML) with the scores, the signed shifts and the preset inputs marked [check].

    beamdump validate --out DIR     →  DIR/index.md, DIR/index.html, DIR/<preset>_<model>_<ref>.png

``docs/validation.md`` is made from the same rows by ``scripts/make_validation_doc.py``.
Edges in the model's coupling; shifts are ours − the reference's in decades (+ is a weaker lower
limit, a higher upper edge).
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datafiles import atomic_write
from ..experiments.experiment import load_experiment
from ..limits.contours import ExclusionBand, read_band_csv
from ..report.score import edge_shifts
from .validation import ValidationResult

#: the marker of a number recalled, not read, in a data file's source
CHECK = "[check]"


@dataclass(frozen=True)
class ReportRow:
    """One validation line with what the page shows of it."""

    result: ValidationResult
    reference: ExclusionBand
    shifts: tuple[float, float, float]  # lower, upper (decades), largest-mass change (fraction)
    figure: str


def checked_inputs(data: Any, path: str = "") -> Iterator[tuple[str, Any, str]]:
    """Every number of a preset whose source is marked [check]: (field path, value, source)."""
    if isinstance(data, dict):
        source = data.get("source")
        if isinstance(source, str) and CHECK in source.replace("[check:", "[check]") and "value" in data:
            yield path, data["value"], source
        for key, value in data.items():
            yield from checked_inputs(value, f"{path}.{key}" if path else str(key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from checked_inputs(value, f"{path}[{i}]")


def _figure_name(r: ValidationResult) -> str:
    return f"{r.experiment}_{r.model}_{Path(r.reference).stem}.png"


def build_rows(results: Sequence[ValidationResult], reference_dir: Path) -> list[ReportRow]:
    """The report rows of validation results (their references read again from ``reference_dir``)."""
    rows = []
    for r in results:
        ref = read_band_csv(Path(reference_dir) / r.reference)
        rows.append(ReportRow(r, ref, edge_shifts(ref, r.result.band), _figure_name(r)))
    return rows


def write_figures(rows: Sequence[ReportRow], out: Path) -> list[Path]:
    """One figure per row: our band (and its event map) over the published band."""
    from ..report.plotting import plot_bands, reference_label, short_name

    written = []
    for row in rows:
        r = row.result
        g = r.result.grid
        exp = r.result.experiment
        written.append(plot_bands(
            [(f"beamdump: {short_name(exp.config.title)} ({r.final_state}; {', '.join(r.channels)})", r.result.band)],
            out / row.figure,
            title=f"{exp.config.title} — {r.model}",
            references=[(reference_label(row.reference, f"published: {r.reference}"), row.reference)],
            events=(g.masses, g.couplings, g.total, r.result.threshold),
        ))
    return written


def _f(v: float | None, spec: str = ".3f") -> str:
    return "n/a" if v is None or v != v else format(v, spec)


def _score_cells(row: ReportRow) -> list[str]:
    s = row.result.score
    lo, hi, top = row.shifts
    return [
        _f(s.lower_median), _f(s.lower_p90, ".3g"), _f(s.upper_median), _f(s.upper_p90, ".3g"),
        f"{s.coverage:.2f}", f"{s.mass_max_ratio:.3g}", f"{lo:+.3f}" if lo == lo else "n/a",
        f"{hi:+.3f}" if hi == hi else "n/a", f"{top:+.0%}" if top == top else "n/a",
    ]


HEADER = ["preset", "model", "reference", "final state; channels", "lower median", "lower p90", "upper median",
          "upper p90", "coverage", "m_max ratio", "lower shift", "upper shift", "m_max shift"]
LEGEND = (
    "Median and 90th percentile of |Δlog₁₀ g| per edge over the reference masses (the metric of "
    "shared/tools/score.py); a reference mass outside our band counts as a 99-decade miss, so a p90 "
    "of 99 means that more than 10% of the reference masses are not covered; n/a: the reference "
    "gives no such edge. Shifts: the signed median of log₁₀(ours/reference) over the masses both "
    "bands cover (+ is a weaker lower limit / a higher upper edge) and the change of the largest "
    "excluded mass."
)


def markdown(rows: Sequence[ReportRow], figures: bool = True) -> str:
    """The page in Markdown: the table, the legend, the [check] inputs per preset, the figures."""
    lines = ["# beamdump validation", "", LEGEND, "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in rows:
        r = row.result
        cells = [f"`{r.experiment}`", r.model, f"`{r.reference}`", f"{r.final_state}; {', '.join(r.channels)}"]
        lines.append("| " + " | ".join(cells + _score_cells(row)) + " |")
    lines += ["", "## Inputs marked [check]", "",
              "Numbers of the presets that were recalled, not read; `scripts/vary_*.py` show how much each moves a band.", ""]
    for name in dict.fromkeys(row.result.experiment for row in rows):
        inputs = list(checked_inputs(load_experiment(name).config.model_dump(mode="json")))
        lines.append(f"**{name}** ({len(inputs)}):")
        lines += [f"- `{path}` = {value}: {source}" for path, value, source in inputs] or ["- none"]
        lines.append("")
    if figures:
        lines += ["## Figures", ""]
        lines += [f"![{row.figure}]({row.figure})" for row in rows]
    return "\n".join(lines) + "\n"


def html_page(rows: Sequence[ReportRow]) -> str:
    """The page in HTML (the same content as :func:`markdown`)."""
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADER)
    body = []
    for row in rows:
        r = row.result
        cells = [r.experiment, r.model, r.reference, f"{r.final_state}; {', '.join(r.channels)}"] + _score_cells(row)
        body.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    checks = []
    for name in dict.fromkeys(row.result.experiment for row in rows):
        items = "".join(f"<li><code>{esc(p)}</code> = {esc(str(v))}: {esc(s)}</li>"
                        for p, v, s in checked_inputs(load_experiment(name).config.model_dump(mode="json")))
        checks.append(f"<h3>{esc(name)}</h3><ul>{items or '<li>none</li>'}</ul>")
    figs = "".join(f'<figure><img src="{esc(row.figure)}" width="640"><figcaption>{esc(row.figure)}</figcaption></figure>'
                   for row in rows)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>beamdump validation</title>"
        "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 6px;font-size:13px}</style></head><body>"
        f"<h1>beamdump validation</h1><p>{esc(LEGEND)}</p><table><tr>{head}</tr>{''.join(body)}</table>"
        f"<h2>Inputs marked [check]</h2>{''.join(checks)}<h2>Figures</h2>{figs}</body></html>\n"
    )


def write_report(results: Sequence[ValidationResult], reference_dir: Path, out: Path) -> list[Path]:
    """Figures, ``index.md`` and ``index.html`` of the validation results under ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = build_rows(results, reference_dir)
    written = write_figures(rows, out)
    for name, text in (("index.md", markdown(rows)), ("index.html", html_page(rows))):
        atomic_write(out / name, lambda f, text=text: f.write(text.encode("utf-8")))
        written.append(out / name)
    return written
