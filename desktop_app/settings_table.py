"""Every setting of the app, declared once: its type, default, CLI flag, help text (en/zh), and whether it
is an engine option (`EngineSettings`), an ingest limit (`IngestLimits`) or a GUI-only preference.

Everything else is derived from this table (NormCap's `gui/settings.py` + `argparser.py` are the model):
`desktop_app.settings` builds `EngineSettings`, `IngestLimits` and the GUI's `Preferences`;
`desktop_app.qt_settings` the QSettings keys and their load/save; `desktop_app.settings_cli` the options of
`summarize`, `batch` and `evaluate` and which of them the desktop app's saved settings fill in. Adding an
option is one `Setting(...)` line here (plus a widget in the Settings dialog if the GUI should show it).

Standard library only: the CLI reads this table to build `--help`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ENGINE = "engine"  # a field of EngineSettings: what the pipeline runs
LIMIT = "limit"  # a field of IngestLimits: what a document may be
PREFERENCE = "preference"  # the desktop app only (Preferences): view, copy, privacy

SUMMARIZE = "summarize"
BATCH = "batch"
EVALUATE = "evaluate"
RUN_COMMANDS = frozenset({SUMMARIZE, BATCH})
ALL_COMMANDS = frozenset({SUMMARIZE, BATCH, EVALUATE})


@dataclass(frozen=True)
class Setting:
    name: str  # the EngineSettings / IngestLimits / Preferences field
    type: type  # str, int, float, bool, Path or tuple (a tuple of str)
    default: object  # in the engine's terms; None = not set
    help_en: str
    help_zh: str
    scope: str = ENGINE
    key: str | None = None  # the QSettings key: the desktop app saves it (a Preferences field)
    pref_name: str | None = None  # the Preferences field, when its name differs from `name`
    none_as: str = ""  # the saved preference that stands for the engine's None
    choices: tuple[str, ...] | None = None  # the values allowed (the GUI adds `none_as` for None)
    cli_choices: bool = True  # False: the CLI also takes other values (a device such as "cuda:1")
    flag: str | None = None  # the command-line option; a bool's flag sets the opposite of its default
    commands: frozenset[str] = frozenset()  # the commands that take `flag`
    metavar: str | None = None
    unit: float = 1  # the engine's value = the flag's value × unit (limits given in MB or megapixels)
    minimum: int | None = None  # an int's smallest value
    changes_output: bool = True  # False: how fast, not what (left out of an evaluation's fingerprint)

    @property
    def preference(self) -> str:
        """The Preferences field's name."""
        return self.pref_name or self.name

    @property
    def saved(self) -> bool:
        return self.key is not None


SETTINGS: tuple[Setting, ...] = (
    # --- engines -----------------------------------------------------------------------------------------
    Setting("ocr", str, "auto",
            "OCR engine for pages without a usable text layer; auto = the best installed embedded engine",
            "没有可用文字层的页面所用的 OCR 引擎；auto = 已安装的最佳内置引擎",
            key="engines/ocr", pref_name="ocr_engine", flag="--ocr", commands=RUN_COMMANDS, metavar="NAME"),
    Setting("summarizer", str, "sections", "summarizer; sections = the embedded extractor",
            "摘要引擎；sections = 内置的段落提取",
            key="engines/summarizer", flag="--summarizer", commands=RUN_COMMANDS, metavar="NAME"),
    Setting("dpi", int, 200, "render DPI for PDF pages that need OCR", "需要 OCR 的 PDF 页面的渲染 DPI",
            flag="--dpi", commands=ALL_COMMANDS, metavar="DPI", minimum=1),
    Setting("use_text_layer", bool, True, "OCR every PDF page even when it has a usable text layer",
            "即使 PDF 页面有可用的文字层，也对每页做 OCR", flag="--no-text-layer", commands=RUN_COMMANDS),
    Setting("ocr_model", Path, None, "local folder of an OCR model", "OCR 模型的本地文件夹",
            key="models/ocr_folder", flag="--ocr-model", commands=ALL_COMMANDS, metavar="PATH"),
    Setting("summarizer_model", Path, None, "local folder (or .gguf file) of a summary model",
            "摘要模型的本地文件夹（或 .gguf 文件）",
            key="models/summarizer_folder", flag="--summarizer-model", commands=ALL_COMMANDS, metavar="PATH"),
    Setting("endpoint", str, None, "OpenAI-compatible OCR server (loopback or allow-listed)",
            "兼容 OpenAI 接口的 OCR 服务器（本机或允许列表中的主机）",
            key="network/endpoint", flag="--endpoint", commands=ALL_COMMANDS, metavar="URL"),
    Setting("served_model", str, None, "model name on that server", "该服务器上的模型名称",
            key="network/served_model", flag="--served-model", commands=ALL_COMMANDS, metavar="NAME"),
    Setting("allowed_hosts", tuple, (),
            "allow connections to this non-loopback host (repeatable); nothing else is reached",
            "允许连接这个非本机主机（可重复）；不会连接其他任何主机",
            key="network/allowed_hosts", flag="--allow-host", commands=ALL_COMMANDS, metavar="HOST"),
    Setting("summary_endpoint", str, None,
            "OpenAI-compatible summary server for --summarizer openai (loopback or allow-listed)",
            "--summarizer openai 所用的兼容 OpenAI 接口的摘要服务器（本机或允许列表中的主机）",
            key="network/summary_endpoint", flag="--summary-endpoint", commands=ALL_COMMANDS, metavar="URL"),
    Setting("summary_served_model", str, None, "model name on that summary server", "该摘要服务器上的模型名称",
            key="network/summary_served_model", flag="--summary-served-model", commands=ALL_COMMANDS,
            metavar="NAME"),
    Setting("concurrency", int, 1,
            "documents in flight at once when the engines are servers (in-process engines always run one "
            "at a time)",
            "引擎为服务器时同时处理的文档数（本机进程内的引擎始终一次一个）",
            key="engines/concurrency", flag="--concurrency", commands=frozenset({BATCH}), metavar="N",
            minimum=1, changes_output=False),
    Setting("device", str, "auto", "auto, cpu or cuda (model engines)", "auto、cpu 或 cuda（模型引擎）",
            key="engines/device", choices=("auto", "cpu", "cuda"), cli_choices=False, flag="--device",
            commands=ALL_COMMANDS),
    Setting("quantization", str, None, "load model engines quantized", "以量化方式加载模型引擎",
            key="engines/quantization", none_as="none", choices=("8bit", "4bit"), flag="--quantization",
            commands=ALL_COMMANDS),
    Setting("output_language", str, None, "language of the labels; unset = the note's own language",
            "摘要标签的语言；不设 = 与病历相同",
            key="summary/output_language", none_as="note", choices=("zh", "en"), flag="--output-language",
            commands=RUN_COMMANDS),
    # --- what a document may be (the CLI takes MB and megapixels) ----------------------------------------
    Setting("max_bytes", int, 300 * 2**20, "refuse larger files (MB)", "拒绝更大的文件（MB）", scope=LIMIT,
            flag="--max-mb", commands=RUN_COMMANDS, metavar="MB", unit=2**20),
    Setting("max_pixels_per_page", int, 100_000_000, "refuse larger page images (megapixels)",
            "拒绝更大的页面图像（百万像素）", scope=LIMIT, flag="--max-megapixels", commands=RUN_COMMANDS,
            metavar="MP", unit=1e6),  # an A4 page at 600 dpi is ~35 MP
    Setting("max_pages", int, 1000, "refuse documents with more pages", "拒绝页数更多的文档", scope=LIMIT,
            flag="--max-pages", commands=RUN_COMMANDS, metavar="N", minimum=1),
    # --- the desktop app only ----------------------------------------------------------------------------
    Setting("ui_language", str, "system", "interface language", "界面语言", scope=PREFERENCE,
            key="ui/language", choices=("system", "zh_CN", "en")),
    Setting("show_boxes", bool, False, "the OCR's per-line boxes on the page (View menu)",
            "在页面上显示 OCR 的逐行框（视图菜单）", scope=PREFERENCE, key="view/show_line_boxes"),
    Setting("font_size", str, "0", "points for the fields and the text (0 = the system's)",
            "字段和文本的字号（0 = 系统默认）", scope=PREFERENCE, key="view/font_size",
            choices=("0", "10", "11", "12", "14", "16")),
    Setting("copy_label_style", str, "colon", "the “Copy all” labels: Plan: …, PLAN: … or 【Plan】…",
            "“全部复制”的标签样式：Plan: …、PLAN: … 或 【Plan】…", scope=PREFERENCE, key="copy/label_style",
            choices=("colon", "upper", "brackets")),
    Setting("copy_separator", str, "line", "between the copied fields: a line break or a blank line",
            "复制的字段之间：换行或空一行", scope=PREFERENCE, key="copy/separator", choices=("line", "blank_line")),
    Setting("inbox_folder", str, "", "a folder whose new files join the queue (empty = none)",
            "新文件会自动加入队列的文件夹（空 = 无）", scope=PREFERENCE, key="inbox/folder"),
    Setting("keep_history", bool, False, "the encrypted history (off unless the user turns it on)",
            "加密的历史记录（除非用户开启，否则关闭）", scope=PREFERENCE, key="privacy/keep_history"),
)


def setting(name: str) -> Setting:
    """The setting of that field name (or Preferences name); KeyError when there is none."""
    for item in SETTINGS:
        if name in (item.name, item.preference):
            return item
    raise KeyError(name)


def in_scope(scope: str) -> tuple[Setting, ...]:
    return tuple(item for item in SETTINGS if item.scope == scope)


def saved() -> tuple[Setting, ...]:
    """What the desktop app keeps in QSettings, in table order (the Preferences fields)."""
    return tuple(item for item in SETTINGS if item.saved)
