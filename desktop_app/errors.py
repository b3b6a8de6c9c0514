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

    def messages(self) -> dict[str, str]:
        """The message in both UI languages: what a viewer keeps to re-render it after a switch."""
        return {"en": self.message("en"), "zh": self.message("zh")}


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
    zh = "不支持的文件（{found_zh}）。支持：PDF、PNG、JPEG、BMP、WebP、TIFF。类型按文件内容判断，而非扩展名：{path}"

    def __init__(self, **params: object) -> None:
        params.setdefault("found_zh", params.get("found", ""))  # what was found, named in Chinese
        super().__init__(**params)


class CorruptDocument(DocumentError):
    code = "corrupt"
    en = "The file is damaged or truncated and cannot be read ({kind}): {path}"
    zh = "文件已损坏或不完整，无法读取（{kind}）：{path}"


class EncryptedPdf(DocumentError):
    code = "encrypted_pdf"
    en = "The PDF is password-protected. Save an unprotected copy and try again: {path}"
    zh = "该 PDF 受密码保护。请另存为无密码副本后重试：{path}"


class SpecialFile(DocumentError):
    """A pipe, device or socket: reading one could block forever or never end, so it is not opened."""

    code = "special_file"
    en = "Not a document but {found}; only regular files are read: {path}"
    zh = "这不是文档，而是{found_zh}；只读取普通文件：{path}"


class ImageShapeUnreadable(DocumentError):
    code = "image_shape"
    en = ("The image is {width}×{height} pixels: too narrow for its length to be read (more than {limit}:1). "
          "Crop or split it into pages: {path}")
    zh = "图像为 {width}×{height} 像素，过于细长无法识别（长宽比超过 {limit}:1）。请裁剪或拆分成多页：{path}"


class NoTextFound(DocumentError):
    """Every page was read but none held text (a blank scan, or one turned sideways): never shown
    as three 'not documented' fields, which a reader could take for a note without them."""

    code = "no_text"
    en = "No text could be read on any page ({pages} page(s)). {why} Nothing was summarized: {path}"
    zh = "所有页面（共 {pages} 页）均未识别出文字。{why}未生成摘要：{path}"
    why_en = "Is the scan blank or turned sideways?"
    why_zh = "扫描件是否为空白或方向不正？"

    def message(self, language: str = "en") -> str:
        # `failed`: a failed page's own sentence (a string, or {"en": …, "zh": …}), which explains more
        # than the blank-scan hint does
        zh = language.startswith("zh")
        failed = self.params.get("failed")
        if isinstance(failed, dict):
            failed = failed.get("zh" if zh else "en")
        why = str(failed or (self.why_zh if zh else self.why_en))
        if why[-1:] not in ".?。？":
            why += "。" if zh else "."
        return (self.zh if zh else self.en).format(**{**self.params, "why": why})


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


class PageNoText(PageError):
    """A page that was read but held no text, in a document whose other pages did."""

    code = "page_no_text"
    en = "Page {page}: no text was found on this page (blank, or turned sideways?)"
    zh = "第 {page} 页：未识别出文字（空白页，或方向不正？）"


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


class EngineNotInstalled(EngineUnavailable):
    code = "engine_not_installed"
    en = "The {name} engine is not installed: {hint}"
    zh = "{name} 引擎未安装：{hint}"


class OutputWriteError(EmrError):
    code = "write_failed"
    en = "Could not write the output {path}: {detail}. Nothing already written was changed."
    zh = "无法写入输出 {path}：{detail}。已写入的内容未受影响。"


class BatchLocked(EmrError):
    code = "batch_locked"
    exit_code = ExitCode.USAGE
    en = ("Another batch is already writing to {path}. Wait for it to finish, or choose another --out "
          "folder (two runs would read every document twice).")
    zh = "另一个批处理正在写入 {path}。请等待其完成，或选择其他 --out 文件夹（两次运行会重复处理每个文档）。"


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


class OcrServerUnreachable(PageError):
    """A timeout or a refused / dropped connection: this page fails, the next page tries again."""

    code = "ocr_server_unreachable"
    en = "Page {page}: the OCR server {url} did not answer ({detail}); this page is marked failed"
    zh = "第 {page} 页：OCR 服务 {url} 无应答（{detail}），该页标记为失败"


class EndpointRedirected(ConfigError):
    code = "endpoint_redirected"
    en = ("The OCR server {url} answered with a redirect (HTTP {status}). Redirects are not followed, so "
          "the page and the API key go only to the address you set; set the server's final address.")
    zh = ("OCR 服务 {url} 返回了重定向（HTTP {status}）。不跟随重定向，页面和 API 密钥只发往您设置的地址；"
          "请设置服务的最终地址。")


# --- notices: never raised; an engine's notes on a page, shown in the user's language ----------


class OcrNotice(EmrError):
    code = "ocr_warning"


class OcrReadWithPlainPrompt(OcrNotice):
    code = "ocr_plain_prompt"
    en = ("Page {page}: the first OCR output looped ({detail}); the page was read again with the plain "
          "\"Free OCR\" prompt, without boxes")
    zh = "第 {page} 页：第一次 OCR 输出陷入重复（{detail}），已改用“Free OCR”提示重新识别，没有文字框"


class OcrTruncatedAtCap(OcrNotice):
    code = "ocr_truncated"
    en = ("Page {page}: the OCR output was truncated at the token cap ({cap} tokens); the end of the page "
          "may be missing — check it against the scan")
    zh = "第 {page} 页：OCR 输出达到 token 上限（{cap}）被截断，页面末尾可能缺失，请与原件核对"


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
    """History cannot be kept here. Subclasses say why in both languages (`reason_en`/`reason_zh`);
    the base takes a ready `reason`."""

    code = "history_unavailable"
    en = "History is off: {reason}"
    zh = "历史记录已关闭：{reason}"
    reason_en = reason_zh = "{reason}"

    def reason(self, language: str = "en") -> str:
        return (self.reason_zh if language.startswith("zh") else self.reason_en).format(**self.params)

    def message(self, language: str = "en") -> str:
        template = self.zh if language.startswith("zh") else self.en
        return template.format(**{**self.params, "reason": self.reason(language)})


class HistoryPackageMissing(HistoryUnavailable):
    reason_en = "the '{package}' package is not installed"
    reason_zh = "未安装 “{package}” 软件包"


class NoSecureKeyring(HistoryUnavailable):
    reason_en = ("no secure OS keyring is available (found: {found}), and the history key is never "
                 "stored in plain text")
    reason_zh = "没有可用的安全系统密钥环（找到：{found}），而历史记录的密钥从不以明文保存"


class KeyringUnreadable(HistoryUnavailable):
    reason_en = "the OS keyring could not be read ({kind})"
    reason_zh = "无法读取系统密钥环（{kind}）"


class HistoryKeyMissing(HistoryUnavailable):
    reason_en = ("the key of the existing history is missing from the OS keyring; its entries cannot be read "
                 "(delete the history to start a new one)")
    reason_zh = "系统密钥环中缺少现有历史记录的密钥，其条目无法读取（删除历史记录即可重新开始）"


class HistoryEntryDamaged(HistoryUnavailable):
    reason_en = "entry {entry} failed its integrity check"
    reason_zh = "第 {entry} 条记录未通过完整性校验"


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


# --- the summary server (summarizer `openai`, issue #15) -------------------------------------------


class SummaryEndpointNotAllowed(ConfigError):
    code = "summary_endpoint_not_allowed"
    en = ("The summary server {url} is not on this computer. Only loopback addresses are used unless the "
          "host '{host}' is added to the allowed hosts setting.")
    zh = "摘要服务 {url} 不在本机。除非将主机“{host}”加入允许列表，否则只使用本机回环地址。"


class SummaryEndpointUnavailable(ConfigError):
    """Nothing any document can get past: a bad URL, a refused API key, an unknown model, a redirect."""

    code = "summary_endpoint_unavailable"
    en = "The summary server {url} cannot be used: {detail}"
    zh = "无法使用摘要服务 {url}：{detail}"


class SummaryServerNotConfigured(ConfigError):
    code = "summary_server_not_configured"
    en = "The openai summarizer needs a server: pass {missing}"
    zh = "openai 摘要器需要一个服务：请指定 {missing}"


class SummaryServerUnreachable(DocumentError):
    """Timeouts or refused / dropped connections after every retry: this document fails; a batch stops
    starting new documents (the server is down) and the next run retries the ones that failed."""

    code = "summary_server_unreachable"
    en = "The summary server {url} did not answer ({detail}); this document was not summarized. Run again to retry it."
    zh = "摘要服务 {url} 无应答（{detail}），本文档未生成摘要。请重新运行以重试。"


class SummaryServerError(DocumentError):
    code = "summary_server_error"
    en = "The summary server {url} failed: {detail}"
    zh = "摘要服务 {url} 出错：{detail}"


class BatchServerStopped(EmrError):
    """Not a document's error: why a batch stopped starting documents (printed once, before the totals)."""

    code = "batch_server_stopped"
    en = ("The server stopped answering: {failed} document(s) failed because of it and {left} were not started. "
          "Run the same batch again to resume; it retries exactly these.")
    zh = "服务停止应答：{failed} 个文档因此失败，{left} 个未开始。再次运行同一批处理即可继续，只会重试这些文档。"


class BatchWorkerLost(DocumentError):
    code = "batch_worker_lost"
    en = ("The worker process reading this document ended unexpectedly ({detail}); nothing was written for it. "
          "Run the same batch again to retry it.")
    zh = "处理本文档的工作进程意外结束（{detail}），未写入任何结果。再次运行同一批处理即可重试。"


class ConcurrencyInProcess(EmrError):
    """A notice, not a failure: --concurrency asked for engines that run in this process."""

    code = "concurrency_in_process"
    en = ("--concurrency {asked} applies to server engines only (--ocr openai with --summarizer openai or "
          "sections); the engines chosen run in this process, so documents run one at a time.")
    zh = ("--concurrency {asked} 仅适用于服务引擎（--ocr openai 配合 --summarizer openai 或 sections）；"
          "所选引擎在本进程内运行，文档将逐个处理。")
