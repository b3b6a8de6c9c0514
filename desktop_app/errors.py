"""Typed errors that carry the user's message (zh + en) and the CLI exit code.

Callers never classify an error by its text: they catch a class, or read `code`.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    INPUT_FAILED = 1  # at least one document failed; the rest were processed
    USAGE = 2
    CONFIG = 3  # engine or model folder unusable
    CANCELLED = 130


class EmrError(Exception):
    """Base of every error the user may see. Subclasses set `code`, `en` and `zh` templates."""

    code = "error"
    exit_code = ExitCode.INPUT_FAILED
    en = "Something went wrong: {detail}"
    zh = "出现错误：{detail}"

    def __init__(self, **params: object) -> None:
        self.params = {"detail": "", **params}
        super().__init__(self.message("en"))

    def message(self, language: str = "en") -> str:
        template = self.zh if language.startswith("zh") else self.en
        return template.format(**self.params)


# --- documents -------------------------------------------------------------------------------


class DocumentError(EmrError):
    """The document as a whole cannot be read; other documents in the batch go on."""


class FileNotFound(DocumentError):
    code = "not_found"
    en = "File not found or not readable: {path}"
    zh = "找不到文件或无法读取：{path}"


class EmptyFile(DocumentError):
    code = "empty_file"
    en = "The file is empty (0 bytes): {path}"
    zh = "文件为空（0 字节）：{path}"


class FileTooLarge(DocumentError):
    code = "file_too_large"
    en = "The file is {size_mb:.0f} MB; the limit is {limit_mb:.0f} MB: {path}"
    zh = "文件大小为 {size_mb:.0f} MB，超过上限 {limit_mb:.0f} MB：{path}"


class UnsupportedFormat(DocumentError):
    code = "unsupported_format"
    en = (
        "Not a supported document ({found}). Supported: PDF, PNG, JPEG, BMP, WebP, TIFF. "
        "The type is read from the content, not the file name: {path}"
    )
    zh = "不支持的文件（{found}）。支持：PDF、PNG、JPEG、BMP、WebP、TIFF。类型按文件内容判断，而非扩展名：{path}"


class CorruptDocument(DocumentError):
    code = "corrupt"
    en = "The file is damaged or truncated and cannot be read ({kind}): {path}"
    zh = "文件已损坏或不完整，无法读取（{kind}）：{path}"


class EncryptedPdf(DocumentError):
    code = "encrypted_pdf"
    en = "The PDF is password-protected. Save an unprotected copy and try again: {path}"
    zh = "该 PDF 受密码保护。请另存为无密码副本后重试：{path}"


class EmptyDocument(DocumentError):
    code = "no_pages"
    en = "The document has no pages: {path}"
    zh = "文档没有任何页面：{path}"


class TooManyPages(DocumentError):
    code = "too_many_pages"
    en = "The document has {pages} pages; the limit is {limit}. Split it and try again: {path}"
    zh = "文档共 {pages} 页，超过上限 {limit} 页。请拆分后重试：{path}"


class ImageTooLarge(DocumentError):
    code = "image_too_large"
    en = (
        "The image is {width}×{height} pixels ({megapixels:.0f} MP); the limit is {limit_mp:.0f} MP "
        "per page. Scan at a lower resolution: {path}"
    )
    zh = ("图像为 {width}×{height} 像素（{megapixels:.0f} 百万像素），超过每页上限 {limit_mp:.0f} 百万像素。"
          "请降低扫描分辨率：{path}")


# --- pages -----------------------------------------------------------------------------------


class PageError(EmrError):
    """One page failed; it is recorded on the page and the document goes on."""

    code = "page_failed"
    en = "Page {page} could not be read: {detail}"
    zh = "第 {page} 页无法识别：{detail}"


class NoTextLayer(PageError):
    code = "no_text_layer"
    en = "Page {page} has no usable text layer; choose an OCR engine to read it"
    zh = "第 {page} 页没有可用的文字层；请选择 OCR 引擎识别"


# --- engines and settings --------------------------------------------------------------------


class ConfigError(EmrError):
    exit_code = ExitCode.CONFIG


class UnknownEngine(ConfigError):
    code = "unknown_engine"
    en = "Unknown {kind} engine '{name}'. Available: {available}"
    zh = "未知的{kind}引擎“{name}”。可用：{available}"


class EngineUnavailable(ConfigError):
    code = "engine_unavailable"
    en = "The {name} engine cannot run here: {detail}"
    zh = "{name} 引擎无法在此运行：{detail}"


class OutputWriteError(EmrError):
    code = "write_failed"
    en = "Could not write the output {path}: {detail}. Nothing already written was changed."
    zh = "无法写入输出 {path}：{detail}。已写入的内容未受影响。"


class Cancelled(EmrError):
    code = "cancelled"
    exit_code = ExitCode.CANCELLED
    en = "Cancelled"
    zh = "已取消"


# --- model engines (local model folders, served models) --------------------------------------


class ModelNotConfigured(ConfigError):
    code = "model_not_configured"
    en = "The {name} engine needs a local model: pass {option} PATH (a model folder{gguf})"
    zh = "{name} 引擎需要本地模型：请用 {option} PATH 指定（模型文件夹{gguf}）"


class ModelFolderInvalid(ConfigError):
    code = "model_folder_invalid"
    en = "The model at {path} cannot be used: {detail}"
    zh = "{path} 处的模型无法使用：{detail}"


class ModelLoadFailed(ConfigError):
    code = "model_load_failed"
    en = "The model at {path} could not be loaded: {detail}"
    zh = "无法加载 {path} 处的模型：{detail}"


class EndpointNotAllowed(ConfigError):
    code = "endpoint_not_allowed"
    en = ("The OCR server {url} is not on this computer. Only loopback addresses are used unless the "
          "host '{host}' is added to the allowed hosts setting.")
    zh = "OCR 服务 {url} 不在本机。除非将主机“{host}”加入允许列表，否则只使用本机回环地址。"


class EndpointUnavailable(ConfigError):
    code = "endpoint_unavailable"
    en = "The OCR server {url} cannot be used: {detail}"
    zh = "无法使用 OCR 服务 {url}：{detail}"


class OcrLoopDetected(PageError):
    code = "ocr_loop"
    en = "Page {page}: the OCR model kept repeating itself ({detail}); the page is marked failed"
    zh = "第 {page} 页：OCR 模型不断重复输出（{detail}），该页标记为失败"


class OcrServerError(PageError):
    code = "ocr_server_error"
    en = "Page {page}: the OCR server failed: {detail}"
    zh = "第 {page} 页：OCR 服务出错：{detail}"


# --- privacy: network guard, history ---------------------------------------------------------


class NetworkBlocked(ConfigError, ConnectionRefusedError):
    """A connection the network guard refused. Also a `ConnectionRefusedError`, so libraries that
    treat 'offline' as a normal case (and catch OSError) keep working."""

    code = "network_blocked"
    en = ("Blocked a connection to {host}: this app only connects to this computer and to hosts you "
          "allowed ({allowed}). If it is your own server, add it to the allowed hosts.")
    zh = ("已阻止连接 {host}：本应用只连接本机及您允许的主机（{allowed}）。"
          "如果这是您自己的服务器，请将其加入允许列表。")


class HistoryUnavailable(ConfigError):
    code = "history_unavailable"
    en = "History is off: {reason}"
    zh = "历史记录已关闭：{reason}"


# --- model store: `emr-assist models import / verify` ----------------------------------------


class ModelImportError(ConfigError):
    code = "model_import_failed"
    en = "Could not import the model from {source}: {detail}. Nothing was left half-imported."
    zh = "无法从 {source} 导入模型：{detail}。未留下不完整的导入。"


class ModelKindMismatch(ModelImportError):
    code = "model_kind_mismatch"
    en = "The model at {source} is a {role} model, not a {kind} model. Use --as {suggested}."
    zh = "{source} 处的模型是{role}模型，不是{kind}模型。请使用 --as {suggested}。"


class ModelAlreadyImported(ModelImportError):
    code = "model_already_imported"
    en = ("A {kind} model named '{name}' is already imported at {path}. Choose another --name, or "
          "pass --replace to replace it.")
    zh = "已存在名为“{name}”的{kind}模型（{path}）。请用 --name 换一个名称，或加 --replace 替换。"


class ModelDiskFull(ModelImportError):
    code = "model_disk_full"
    en = ("Not enough free space in {path}: the model needs {needed_gib:.2f} GiB, {free_gib:.2f} GiB "
          "is free. Free some space and try again; nothing was left half-imported.")
    zh = ("{path} 空间不足：模型需要 {needed_gib:.2f} GiB，可用 {free_gib:.2f} GiB。"
          "请释放空间后重试；未留下不完整的导入。")


class ModelNotFound(ConfigError):
    code = "model_not_found"
    en = "No imported model named '{name}' in {root}. `emr-assist models list` shows what is there."
    zh = "{root} 中没有名为“{name}”的已导入模型。运行 `emr-assist models list` 查看。"


# --- evaluation (`emr-assist evaluate`) ------------------------------------------------------


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
