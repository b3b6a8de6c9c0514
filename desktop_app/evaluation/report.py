"""The evaluation report: `report.md` (with the plots as .svg files beside it) and `report.html`, one
self-contained page (inline CSS, inline SVG plots, no scripts, nothing fetched), plus `scores.json`.

Layout: the configs and the labels; one table with the configs side by side; the plots (error
distribution, seconds per page); every document with its scores; the worst documents first with
their differences (difflib, word level) for the text and each field.
"""

from __future__ import annotations

import difflib
import html
import json
import math
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from desktop_app.batch import atomic_write
from desktop_app.evaluation.metrics import (
    FIELDS,
    ConfigTotals,
    DocumentScore,
    aggregate,
    median,
    score_document,
)
from desktop_app.evaluation.runner import EvaluationRun

FIELD_LABELS = {"chief_complaint": "chief complaint", "diagnosis": "diagnosis", "plan": "plan"}
WORST_SHOWN = 5
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


@dataclass
class Scored:
    run: EvaluationRun
    scores: dict[str, dict[str, DocumentScore]]  # config → file → score
    totals: dict[str, ConfigTotals]

    @property
    def config_names(self) -> list[str]:
        return [c.name for c in self.run.configs]

    def worst_documents(self) -> list[str]:
        """Documents by their mean badness over the configs, worst first (ties: file name)."""
        def badness(file: str) -> float:
            values = [s[file].badness for s in self.scores.values() if file in s]
            return sum(values) / len(values) if values else 0.0
        files = [label.file for label in self.run.labels.documents]
        return sorted(files, key=lambda f: (-badness(f), f))


def score_run(run: EvaluationRun) -> Scored:
    scores: dict[str, dict[str, DocumentScore]] = {}
    for config in run.configs:
        records = run.records.get(config.name, {})
        scores[config.name] = {label.file: score_document(records[label.file], label.text, label.fields)
                               for label in run.labels.documents if label.file in records}
    totals = {name: aggregate(list(by_file.values())) for name, by_file in scores.items()}
    return Scored(run, scores, totals)


# --- formatting ----------------------------------------------------------------------------------

def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def overall_rows(scored: Scored) -> list[tuple[str, list[str]]]:
    """(metric, one cell per config) for the side-by-side table."""
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, cell) -> None:
        rows.append((label, [cell(scored.totals[name], name) for name in scored.config_names]))

    add("documents (pages)", lambda t, n: f"{t.documents} ({t.pages})")
    add("could not run", lambda t, n: scored.run.config_errors.get(n, "–"))
    add("failed documents", lambda t, n: str(t.failed_documents))
    add("failed pages (looping)", lambda t, n: f"{t.failed_pages} ({t.looping_pages})")
    add("CER, mean (median) ↓", lambda t, n: f"{_pct(t.cer_mean)} ({_pct(t.cer_median)})")
    add("word F1 ↑", lambda t, n: _num(t.word_f1, 3))
    for name in FIELDS:
        add(f"{FIELD_LABELS[name]} token F1 ↑",
            lambda t, n, name=name: f"{_num(t.field_f1[name], 3)} (n={t.field_n[name]})")
    add("not_documented accuracy ↑",
        lambda t, n: f"{_pct(t.not_documented_accuracy)} (n={t.not_documented_n})")
    add("fields flagged by the checks", lambda t, n: f"{t.flagged_fields} of {t.found_fields} found")
    add("seconds per page ↓", lambda t, n: _num(t.seconds_per_page))
    add("peak memory, MB (added by the config)",
        lambda t, n: f"{_num(t.peak_rss_mb, 0)} (+{_num(t.added_rss_mb, 0)})")
    if any(t.gpu_peak_mb is not None for t in scored.totals.values()):
        add("peak GPU memory, MB", lambda t, n: _num(t.gpu_peak_mb, 0))
    return rows


def document_rows(scored: Scored) -> tuple[list[str], list[list[str]]]:
    header = ["document", "pages"]
    for name in scored.config_names:
        header += [f"{name}: CER", f"{name}: CC / Dx / plan F1", f"{name}: s/page", f"{name}: flags"]
    rows = []
    for file in scored.worst_documents():
        first = next((s[file] for s in scored.scores.values() if file in s), None)
        row = [file, str(first.pages) if first else "–"]
        for name in scored.config_names:
            score = scored.scores[name].get(file)
            if score is None:
                row += ["not run", "", "", ""]
                continue
            if score.failed:
                row += ["failed", "", "", ""]
                continue
            f1 = " / ".join(_field_cell(score, f) for f in FIELDS)
            flags = ", ".join(sorted(set(score.warning_codes))) or "–"
            row += [_pct(score.cer), f1, _num(score.seconds_per_page), flags]
        rows.append(row)
    return header, rows


def _field_cell(score: DocumentScore, name: str) -> str:
    field = score.fields.get(name)
    if field is None:
        return "·"  # not labelled
    if field.f1 is None:
        return "nd ✓" if field.status_correct else "nd ✗"
    return f"{field.f1:.2f}"


# --- differences ---------------------------------------------------------------------------------

_WORDS = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+")


def word_diff(expected: str, got: str, context: int = 5, max_changes: int = 12) -> list[tuple[str, str]]:
    """(kind, text) runs: kind is "=", "-" (expected only) or "+" (output only); long equal runs are
    cut to `context` words each side, marked by an "…" equal run."""
    a, b = _WORDS.findall(expected), _WORDS.findall(got)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    runs: list[tuple[str, str]] = []
    changes = 0
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            if len(words) > 2 * context:
                head = words[:context] if index > 0 else []
                tail = words[-context:] if index < len(opcodes) - 1 else []
                runs += [("=", _join(head))] if head else []
                runs.append(("=", "…"))
                runs += [("=", _join(tail))] if tail else []
            else:
                runs.append(("=", _join(words)))
            continue
        changes += 1
        if changes > max_changes:
            more = sum(1 for op in opcodes if op[0] != "equal") - max_changes
            runs.append(("=", f"… ({more} more changes)"))
            break
        if i2 > i1:
            runs.append(("-", _join(a[i1:i2])))
        if j2 > j1:
            runs.append(("+", _join(b[j1:j2])))
    return [run for run in runs if run[1]]


def _join(words: list[str]) -> str:
    out = ""
    for word in words:
        cjk = len(word) == 1 and "\u3400" <= word <= "\ufaff"
        out += word if (cjk or not out or (out[-1:] >= "\u3400" and out[-1:] <= "\ufaff")) else " " + word
    return out


def _clip(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit // 2] + " … " + text[-limit // 2:]


def diff_markdown(runs: list[tuple[str, str]]) -> str:
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return " ".join(marks[kind].format(_clip(text)) for kind, text in runs)


def diff_html(runs: list[tuple[str, str]]) -> str:
    tags = {"=": "{}", "-": "<del>{}</del>", "+": "<ins>{}</ins>"}
    return " ".join(tags[kind].format(html.escape(_clip(text))) for kind, text in runs)


@dataclass
class DiffItem:
    what: str  # "text" or a field name
    expected: str
    got: str
    note: str  # e.g. "F1 0.42", "not documented in the label, found by the config"


def document_diffs(scored: Scored, config: str, file: str) -> list[DiffItem]:
    label = next(lab for lab in scored.run.labels.documents if lab.file == file)
    record = scored.run.records.get(config, {}).get(file)
    score = scored.scores[config].get(file)
    if record is None or score is None:
        return []
    if score.failed:
        return [DiffItem("document", "", "", f"failed: {record.get('error')}")]
    items = []
    for name in FIELDS:
        if name not in label.fields:
            continue
        gold, got = label.fields[name], record["fields"].get(name, {})
        got_text = got.get("text", "") if got.get("status") == "found" else ""
        field = score.fields[name]
        if field.f1 is not None and field.f1 >= 0.999:
            continue
        if gold is None and not field.predicted_documented:
            continue
        note = (f"F1 {field.f1:.2f}" if field.f1 is not None
                else "labelled not documented; the config found text")
        if gold is not None and not field.predicted_documented:
            note = "labelled; the config said not documented"
        items.append(DiffItem(name, gold or "(not documented)", got_text or "(not documented)", note))
    if label.text is not None and score.cer:
        items.append(DiffItem("text", label.text, record.get("text", ""), f"CER {score.cer:.1%}"))
    return items


# --- plots (inline SVG, no plotting library) -------------------------------------------------------

def _nice_step(top: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 × 10^k) such that five steps reach `top`."""
    exponent = math.floor(math.log10(top / 5))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * 10**exponent
        if step * 5 >= top:
            return step
    return 10 ** (exponent + 1)


def strip_plot(title: str, series: dict[str, list[float]], unit: str, percent: bool = False) -> str:
    """One row per config: a dot per document, a bar at the median. Self-contained SVG."""
    width, left, right, row_h, top = 640, 150, 20, 34, 34
    height = top + row_h * max(len(series), 1) + 34
    values = [v for vs in series.values() for v in vs]
    step = _nice_step(max(values, default=1.0) or 1.0)
    hi = step * 5

    def x(v: float) -> float:
        return left + (width - left - right) * (v / hi)

    def label(v: float) -> str:
        return f"{v * 100:.3g}%" if percent else f"{v:.3g}"

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{html.escape(title)}" font-family="sans-serif" '
           'font-size="12">',
           f'<text x="{width / 2}" y="18" text-anchor="middle" font-weight="bold">{html.escape(title)}'
           "</text>"]
    axis_y = top + row_h * len(series)
    for i in range(6):
        v = step * i
        out.append(f'<line x1="{x(v):.1f}" y1="{top - 6}" x2="{x(v):.1f}" y2="{axis_y}" stroke="#ddd"/>')
        out.append(f'<text x="{x(v):.1f}" y="{axis_y + 16}" text-anchor="middle">{label(v)}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{axis_y + 31}" text-anchor="middle">'
               f'{html.escape(unit)}</text>')
    for row, (name, vs) in enumerate(series.items()):
        cy = top + row_h * row + row_h / 2
        color = PALETTE[row % len(PALETTE)]
        out.append(f'<text x="{left - 8}" y="{cy + 4:.1f}" text-anchor="end">{html.escape(name)}</text>')
        for k, v in enumerate(sorted(vs)):
            jitter = ((k * 7) % 5 - 2) * 2.5
            out.append(f'<circle cx="{x(v):.1f}" cy="{cy + jitter:.1f}" r="4" fill="{color}" '
                       f'fill-opacity="0.6"><title>{label(v)}</title></circle>')
        if vs:
            med = median(vs) or 0.0
            out.append(f'<line x1="{x(med):.1f}" y1="{cy - 12:.1f}" x2="{x(med):.1f}" y2="{cy + 12:.1f}" '
                       f'stroke="#000" stroke-width="2"><title>median {label(med)}</title></line>')
    out.append("</svg>")
    return "\n".join(out)


def plots(scored: Scored) -> dict[str, str]:
    """file name → SVG, for the plots a reader would rather look at than read."""
    out = {}
    cer = {name: [s.cer for s in by_file.values() if s.cer is not None and not s.failed]
           for name, by_file in scored.scores.items()}
    if any(cer.values()):
        out["cer.svg"] = strip_plot("Character error rate per document (bar: median)", cer,
                                    "CER (failed documents not shown)",
                                    percent=True)
    f1 = {name: [f.f1 for s in by_file.values() for f in s.fields.values() if f.f1 is not None]
          for name, by_file in scored.scores.items()}
    if any(f1.values()):
        out["field_f1.svg"] = strip_plot("Field token F1 per labelled field (bar: median)", f1, "token F1")
    speed = {name: [s.seconds_per_page for s in by_file.values() if s.seconds_per_page and not s.failed]
             for name, by_file in scored.scores.items()}
    if any(speed.values()):
        out["seconds_per_page.svg"] = strip_plot("Seconds per page, per document (bar: median)", speed,
                                                 "seconds per page")
    return out


# --- writing -------------------------------------------------------------------------------------

def _md_table(header: list[str], rows: list[list[str]]) -> str:
    def cell(text: str) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")
    lines = ["| " + " | ".join(cell(h) for h in header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def overall_markdown(scored: Scored) -> str:
    rows = [[label, *cells] for label, cells in overall_rows(scored)]
    return _md_table(["metric", *scored.config_names], rows)


def render_markdown(scored: Scored, plot_files: list[str]) -> str:
    run = scored.run
    labels = run.labels
    parts = [f"# Evaluation of {labels.root}", "",
             f"{len(labels.documents)} documents, labels from `{labels.path.name}`; "
             f"{datetime.now().astimezone():%Y-%m-%d %H:%M}. Lower CER and higher F1 are better. "
             "Field F1 is token F1 against the label; `not_documented` accuracy is how often the config's "
             "found / not documented decision matched the label.", "", "## Configs", ""]
    for config in run.configs:
        s = config.settings
        models = ", ".join(str(v) for v in (s.ocr_model, s.summarizer_model, s.endpoint) if v)
        parts.append(f"- **{config.name}**: {config.description} (ocr `{s.ocr}`, "
                     f"summarizer `{s.summarizer}`, {models or 'no model files'})")
    parts += ["", "## Overall", "", overall_markdown(scored), ""]
    if plot_files:
        parts += ["## Plots", ""] + [f"![{name}]({name})" for name in plot_files] + [""]
    header, rows = document_rows(scored)
    parts += ["## Documents, worst first", "",
              "Field cells: token F1 for chief complaint / diagnosis / plan; `nd ✓` a correct "
              "*not documented*, "
              "`nd ✗` text found where the label says not documented, `·` not labelled.", "",
              _md_table(header, rows), "", f"## Differences in the {WORST_SHOWN} worst documents", "",
              "`[-expected-]` is in the label only, `{+output+}` in the output only.", ""]
    for file in scored.worst_documents()[:WORST_SHOWN]:
        parts += [f"### {file}", ""]
        for name in scored.config_names:
            items = document_diffs(scored, name, file)
            if not items:
                continue
            parts.append(f"**{name}**")
            parts.append("")
            for item in items:
                diff = diff_markdown(word_diff(item.expected, item.got))
                parts.append(f"- {item.what} ({item.note}): {diff}")
            parts.append("")
    return "\n".join(parts) + "\n"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:2rem auto;
max-width:1200px;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;margin:1rem 0;font-size:.9rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}
del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}
.diff{font-size:.9rem;margin:.3rem 0 .8rem 1rem}.note{color:#666}.err{color:#b00}
code{background:#f3f3f3;padding:0 .2rem}
"""


def _html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(scored: Scored, svgs: dict[str, str]) -> str:
    run = scored.run
    labels = run.labels
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Evaluation of {html.escape(str(labels.root))}</title><style>{CSS}</style></head><body>",
           f"<h1>Evaluation of {html.escape(str(labels.root))}</h1>",
           f"<p>{len(labels.documents)} documents, labels from <code>{html.escape(labels.path.name)}</code>; "
           f"{datetime.now().astimezone():%Y-%m-%d %H:%M}. Lower CER and higher F1 are better. Field F1 is "
           "token F1 against the label; <i>not_documented</i> accuracy is how often the config's found / not "
           "documented decision matched the label.</p>",
           "<h2>Configs</h2><ul>"]
    for config in run.configs:
        s = config.settings
        error = run.config_errors.get(config.name)
        out.append(f"<li><b>{html.escape(config.name)}</b>: {html.escape(config.description)} "
                   f"(ocr <code>{html.escape(s.ocr)}</code>, "
                   f"summarizer <code>{html.escape(s.summarizer)}</code>)"
                   + (f' <span class="err">could not run: {html.escape(error)}</span>' if error else "")
                   + "</li>")
    out.append("</ul><h2>Overall</h2>")
    rows = [[label, *cells] for label, cells in overall_rows(scored)]
    out.append(_html_table(["metric", *scored.config_names], rows))
    if svgs:
        out.append("<h2>Plots</h2>")
        out += [f"<figure>{svg}</figure>" for svg in svgs.values()]
    header, rows = document_rows(scored)
    out += ["<h2>Documents, worst first</h2>",
            '<p class="note">Field cells: token F1 for chief complaint / diagnosis / plan; “nd ✓” a correct '
            "<i>not documented</i>, “nd ✗” text found where the label says not documented, "
            "“·” not labelled.</p>",
            _html_table(header, rows), f"<h2>Differences in the {WORST_SHOWN} worst documents</h2>",
            '<p class="note"><del>struck</del>: in the label only; <ins>green</ins>: in the output only.</p>']
    for file in scored.worst_documents()[:WORST_SHOWN]:
        out.append(f"<h3>{html.escape(file)}</h3>")
        for name in scored.config_names:
            items = document_diffs(scored, name, file)
            if not items:
                continue
            out.append(f"<h4>{html.escape(name)}</h4>")
            for item in items:
                diff = diff_html(word_diff(item.expected, item.got))
                out.append(f'<div class="diff"><b>{html.escape(item.what)}</b> <span class="note">'
                           f"({html.escape(item.note)})</span><br>{diff}</div>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(run: EvaluationRun, out_dir: Path) -> tuple[Scored, dict[str, Path]]:
    """Write report.md (+ its .svg plots), report.html and scores.json into `out_dir`."""
    scored = score_run(run)
    svgs = plots(scored)
    written: dict[str, Path] = {}
    for name, svg in svgs.items():
        atomic_write(out_dir / name, svg + "\n")
        written[name] = out_dir / name
    atomic_write(out_dir / "report.md", render_markdown(scored, list(svgs)))
    atomic_write(out_dir / "report.html", render_html(scored, svgs))
    data = {"configs": {c.name: {"description": c.description, "settings": c.settings_dict(),
                                 "error": run.config_errors.get(c.name),
                                 "totals": asdict(scored.totals[c.name]),
                                 "documents": {f: _score_dict(s) for f, s in scored.scores[c.name].items()}}
                        for c in run.configs}}
    atomic_write(out_dir / "scores.json", json.dumps(data, ensure_ascii=False, indent=1))
    written.update({"report.md": out_dir / "report.md", "report.html": out_dir / "report.html",
                    "scores.json": out_dir / "scores.json"})
    return scored, written


def _score_dict(score: DocumentScore) -> dict:
    data = asdict(score)
    data["seconds_per_page"] = score.seconds_per_page
    for name, field in score.fields.items():
        data["fields"][name]["status_correct"] = field.status_correct
    return data
