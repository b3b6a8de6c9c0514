"""The typed errors of `emr-assist evaluate`: a labels file or an evaluation config that cannot be used.
Like every error in desktop_app/errors.py they carry the user's message (zh + en) and exit code."""

from __future__ import annotations

from desktop_app.errors import ConfigError, EmrError, ExitCode


class LabelsError(EmrError):
    """The evaluation labels file cannot be used; nothing is run until it is fixed."""

    code = "labels_invalid"
    exit_code = ExitCode.USAGE
    en = "The labels file {path} cannot be used: {detail}"
    zh = "标注文件 {path} 无法使用：{detail}"


class LabelsNotFound(LabelsError):
    code = "labels_not_found"
    en = "No labels file in {path}: add labels.json or labels.csv (see the README, 'Local validation')"
    zh = "{path} 中没有标注文件：请添加 labels.json 或 labels.csv（见 README“本地验证”）"


class LabelsBadJson(LabelsError):
    code = "labels_bad_json"
    en = "The labels file {path} is not valid JSON: {detail} (line {line}, column {column})"
    zh = "标注文件 {path} 不是有效的 JSON：{detail}（第 {line} 行，第 {column} 列）"


class LabelsUnknownField(LabelsError):
    code = "labels_unknown_field"
    en = "The labels file {path} has an unknown field '{field}' ({where}). Known fields: {known}{hint}"
    zh = "标注文件 {path} 含未知字段“{field}”（{where}）。可用字段：{known}{hint}"


class LabelsMissingDocument(LabelsError):
    code = "labels_missing_document"
    en = "The labels file {path} names a document that is not in the folder: {document}"
    zh = "标注文件 {path} 列出的文档不在文件夹中：{document}"


class UnknownEvalConfig(ConfigError):
    code = "unknown_eval_config"
    en = ("Unknown evaluation config '{name}'. Available: {available} "
          "(or OCR+SUMMARIZER, e.g. rapidocr+sections)")
    zh = "未知的评估配置“{name}”。可用：{available}（或 OCR+摘要器，如 rapidocr+sections）"
