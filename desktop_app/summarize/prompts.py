"""Prompts for the `llm` summarizer and the parser of its answers. No model code here.

The prompt is a fixed instruction prefix (system message + the start of the user turn) followed by
one chunk of the document. Nothing variable (dates, file names, chunk numbers) is in the prefix, so
its KV cache can be computed once per model load and reused for every chunk of every document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from desktop_app.models import FIELD_NAMES

# A marker that never occurs in a note; the prefix is everything the template renders before it.
CHUNK_MARKER = "\u2063<<chunk>>\u2063"

_SYSTEM = {
    "en": (
        "You copy facts out of one clinical document. You never give advice, never suggest a "
        "diagnosis or treatment, never add anything the text does not say.\n"
        "Return only one JSON object with exactly these keys:\n"
        '{"chief_complaint": "...", "diagnosis": "...", "plan": "..."}\n'
        "Rules:\n"
        "- chief_complaint: the patient's main symptom and its duration, as the text states it.\n"
        "- diagnosis: the diagnoses or impressions the text states.\n"
        "- plan: the plan the text states (tests, treatment, follow-up), not your own.\n"
        "- Restate only what the text says, in its own words where possible.\n"
        '- A field the text does not contain is exactly "not_documented".\n'
        "- Answer in English."
    ),
    "zh": (
        "你只从一份病历文本中摘录事实。不给建议，不推测诊断或治疗，不添加文本中没有的内容。\n"
        "只返回一个 JSON 对象，键必须是：\n"
        '{"chief_complaint": "...", "diagnosis": "...", "plan": "..."}\n'
        "规则：\n"
        "- chief_complaint：主要症状加持续时间，照文本所写，不超过 20 个汉字。\n"
        "- diagnosis：文本中写明的诊断或印象。\n"
        "- plan：文本中写明的诊疗计划（检查、治疗、随访），不是你的建议。\n"
        "- 只复述文本内容，尽量使用原文措辞。\n"
        '- 文本中没有的字段，值必须是 "not_documented"。\n'
        "- 用中文回答。"
    ),
}
_USER_HEAD = {"en": "Document text:\n", "zh": "病历文本：\n"}
RETRY_REMINDER = {
    "en": "Your previous answer was not the JSON object asked for. Answer with only the JSON object.",
    "zh": "上一次的回答不是要求的 JSON 对象。只回答该 JSON 对象。",
}
NOT_DOCUMENTED_VALUES = {
    "",
    "not_documented",
    "not documented",
    "none",
    "null",
    "n/a",
    "na",
    "unknown",
    "未记录",
    "无",
    "未提及",
    "不详",
}
_THINK = re.compile(r"<think>.*?(?:</think>|$)", re.S)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.S | re.I)


ANSWER_OVERHEAD_TOKENS = 48  # the braces, keys and quotes of the answer object


def answer_schema(max_new_tokens: int) -> dict:
    """The JSON schema of one chunk's answer, for constrained decoding. Each value's length is capped so
    the object can always be closed within the token cap (a CJK character can be a token of its own)."""
    max_chars = max(16, (max_new_tokens - ANSWER_OVERHEAD_TOKENS) // len(FIELD_NAMES))
    value = {"type": "string", "maxLength": max_chars}
    return {
        "type": "object",
        "properties": {name: value for name in FIELD_NAMES},
        "required": list(FIELD_NAMES),
        "additionalProperties": False,
    }


def prompt_language(language: str) -> str:
    return "zh" if language.startswith("zh") else "en"


def messages(chunk: str, language: str, *, retry: bool = False) -> list[dict[str, str]]:
    """Chat messages for one chunk. The system message and the user head are the fixed prefix."""
    lang = prompt_language(language)
    user = _USER_HEAD[lang] + chunk
    if retry:
        user += "\n\n" + RETRY_REMINDER[lang]
    return [{"role": "system", "content": _SYSTEM[lang]}, {"role": "user", "content": user}]


@dataclass
class ChunkAnswer:
    """One chunk's three fields; None = not documented in this chunk."""

    chief_complaint: str | None = None
    diagnosis: str | None = None
    plan: str | None = None

    def get(self, name: str) -> str | None:
        return getattr(self, name)


def strip_thinking(text: str) -> str:
    return _THINK.sub("", text).strip()


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        parts = [_as_text(v) for v in value]
        joined = "\n".join(p for p in parts if p)
        return joined or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("field is not text")
    cleaned = value.strip()
    return None if cleaned.lower() in NOT_DOCUMENTED_VALUES else cleaned


def parse_answer(raw: str) -> ChunkAnswer | None:
    """The model's answer as three fields, or None when it is not the JSON object asked for.

    Tolerates a `<think>` block, code fences and text around the object; requires all three keys.
    """
    text = strip_thinking(raw)
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    start = text.find("{")
    if start < 0:
        return None
    try:
        data, _ = json.JSONDecoder().raw_decode(text[start:])
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or any(name not in data for name in FIELD_NAMES):
        return None
    try:
        return ChunkAnswer(**{name: _as_text(data[name]) for name in FIELD_NAMES})
    except ValueError:
        return None
