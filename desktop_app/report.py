"""Human-readable renderings of a result: the terminal report and the batch Markdown file."""

from __future__ import annotations

from desktop_app.labs.extract import result_line, results_tsv
from desktop_app.models import FOUND, DocumentResult, NoteSummary, Summary, SummaryField, SummaryWarning

LABELS = {
    "en": {"chief_complaint": "Chief complaint", "diagnosis": "Diagnosis", "plan": "Plan",
           "not_documented": "Not documented", "warnings": "Warnings", "pages": "Pages",
           "review": "Review before use: every field is copied from the document; check it against the source.",
           "failed": "failed", "error": "Error", "note": "Note {index} of {count}", "on_pages": " (page {pages})",
           "results": "Results", "doubtful": "OCR unsure: check on the page"},
    "zh": {"chief_complaint": "主诉", "diagnosis": "诊断", "plan": "处理",
           "not_documented": "未记录", "warnings": "提示", "pages": "页数",
           "review": "使用前请核对：各项内容均摘自原文，请与原文对照。",
           "failed": "失败", "error": "错误", "note": "第 {index} 份病历（共 {count} 份）",
           "on_pages": "（第 {pages} 页）", "results": "检验结果", "doubtful": "识别可能有误，请核对原件"},
}


def labels(language: str) -> dict[str, str]:
    return LABELS["zh" if language.startswith("zh") else "en"]


def _language(result: DocumentResult, override: str | None) -> str:
    if override:
        return override
    return result.summary.language if result.summary else "en"


def _page_line(result: DocumentResult, words: dict[str, str]) -> str:
    engines: dict[str, int] = {}
    for page in result.pages:
        engines[page.engine] = engines.get(page.engine, 0) + 1
    failed = sum(page.status == "failed" for page in result.pages)
    detail = ", ".join(f"{name} ×{count}" for name, count in engines.items())
    line = f"{words['pages']}: {len(result.pages)} ({detail})"
    return line + (f", {failed} {words['failed']}" if failed else "")


def render_text(result: DocumentResult, language: str | None = None) -> str:
    words = labels(_language(result, language))
    out = [f"== {result.source} =="]
    if result.error and not result.summary:
        out.append(f"{words['error']}: {result.error}")
        return "\n".join(out) + "\n"
    out.append(_page_line(result, words))
    if result.error:
        out.append(f"{words['error']}: {result.error}")
    if result.summary and result.summary.notes:
        # A file holding several notes: each note with its own fields and warnings.
        for note in result.summary.notes:
            out.append(_note_title(note, len(result.summary.notes), words))
            out += ["  " + line.replace("\n", "\n  ") for line in _field_lines(note.fields(), note.warnings, words)]
        out += _warning_lines(_document_warnings(result.summary), words)
    elif result.summary:
        out += _field_lines(result.summary.fields(), result.summary.warnings, words)
    if result.summary and result.summary.results:
        language = _language(result, language)
        out.append(f"{words['results']}:")
        out += [f"  - {result_line(r, language)}" + (f"  ({words['doubtful']})" if r.doubtful else "")
                for r in result.summary.results]
    out.append(words["review"])
    return "\n".join(out) + "\n"


def render_markdown(result: DocumentResult, language: str | None = None) -> str:
    words = labels(_language(result, language))
    out = [f"# {result.source}", "", f"- sha256: `{result.sha256}`", f"- {_page_line(result, words)}"]
    if result.error:
        out.append(f"- **{words['error']}:** {result.error}")
    out.append("")
    notes = result.summary.notes if result.summary else []
    for note in notes:
        out += [f"## {_note_title(note, len(notes), words)}", ""]
        out += _markdown_fields(note.fields(), note.warnings, words, level="###")
    if result.summary:
        out += (_markdown_fields({}, _document_warnings(result.summary), words, level="##") if notes
                else _markdown_fields(result.summary.fields(), result.summary.warnings, words, level="##"))
    if result.summary and result.summary.results:
        # The same tab-separated rows the app copies, as a Markdown table.
        tsv = results_tsv(result.summary.results, _language(result, language))
        rows = [line.split("\t") for line in tsv.splitlines()]
        out += [f"## {words['results']}", "", "| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
        out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows[1:]]
        out.append("")
    out += [f"> {words['review']}", ""]
    return "\n".join(out)


def _note_title(note: NoteSummary, count: int, words: dict[str, str]) -> str:
    title = words["note"].format(index=note.index + 1, count=count)
    if note.title:
        title += f" — {note.title}"
    if note.pages:
        title += words["on_pages"].format(pages=", ".join(str(page + 1) for page in note.pages))
    return title


def _document_warnings(summary: Summary) -> list[SummaryWarning]:
    """The warnings about the whole file; the first note's own (copied to the top level) are shown with it."""
    first = summary.notes[0].warnings if summary.notes else []
    return [w for w in summary.warnings if w not in first]


def _warning_lines(warnings: list[SummaryWarning], words: dict[str, str]) -> list[str]:
    return [f"{words['warnings']}:", *(f"  - {w.message}" for w in warnings)] if warnings else []


def _field_lines(fields: dict[str, SummaryField], warnings: list[SummaryWarning], words: dict[str, str]) -> list[str]:
    out = []
    for name, field in fields.items():
        value = field.text if field.status == FOUND else f"[{words['not_documented']}]"
        out.append(f"{words[name]}: " + value.replace("\n", "\n    "))
    return out + _warning_lines(warnings, words)


def _markdown_fields(fields: dict[str, SummaryField], warnings: list[SummaryWarning], words: dict[str, str],
                     level: str) -> list[str]:
    out = []
    for name, field in fields.items():
        out += [f"{level} {words[name]}", ""]
        out += [field.text if field.status == FOUND else f"*{words['not_documented']}*", ""]
    if warnings:
        out += [f"{level} {words['warnings']}", "", *(f"- {w.message}" for w in warnings), ""]
    return out
