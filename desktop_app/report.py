"""Human-readable renderings of a result: the terminal report and the batch Markdown file."""

from __future__ import annotations

from desktop_app.models import FOUND, DocumentResult

LABELS = {
    "en": {"chief_complaint": "Chief complaint", "diagnosis": "Diagnosis", "plan": "Plan",
           "not_documented": "Not documented", "warnings": "Warnings", "pages": "Pages",
           "review": "Review before use: every field is copied from the document; check it against the source.",
           "failed": "failed", "error": "Error"},
    "zh": {"chief_complaint": "主诉", "diagnosis": "诊断", "plan": "处理",
           "not_documented": "未记录", "warnings": "提示", "pages": "页数",
           "review": "使用前请核对：各项内容均摘自原文，请与原文对照。",
           "failed": "失败", "error": "错误"},
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
    if result.summary:
        for name, field in result.summary.fields().items():
            value = field.text if field.status == FOUND else f"[{words['not_documented']}]"
            value = value.replace("\n", "\n    ")
            out.append(f"{words[name]}: {value}")
        if result.summary.warnings:
            out.append(f"{words['warnings']}:")
            out.extend(f"  - {w.message}" for w in result.summary.warnings)
    out.append(words["review"])
    return "\n".join(out) + "\n"


def render_markdown(result: DocumentResult, language: str | None = None) -> str:
    words = labels(_language(result, language))
    out = [f"# {result.source}", "", f"- sha256: `{result.sha256}`", f"- {_page_line(result, words)}"]
    if result.error:
        out.append(f"- **{words['error']}:** {result.error}")
    out.append("")
    if result.summary:
        for name, field in result.summary.fields().items():
            out += [f"## {words[name]}", ""]
            out.append(field.text if field.status == FOUND else f"*{words['not_documented']}*")
            out.append("")
        if result.summary.warnings:
            out += [f"## {words['warnings']}", ""]
            out += [f"- {w.message}" for w in result.summary.warnings]
            out.append("")
    out += [f"> {words['review']}", ""]
    return "\n".join(out)
