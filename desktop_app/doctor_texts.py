"""The health check's words, in English and Chinese: one template pair per thing a check can say.

A `doctor.Check` carries a code from `TEXTS` and its parameters (versions, paths, names), never
finished sentences, so the welcome dialog shows it in the UI language and the CLI in `--lang`.
A parameter that is itself words is a `Text` (both languages); one from another module that speaks
English only (e.g. a model folder's problems) is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

PIP_PYSIDE = "pip install 'PySide6-Essentials>=6.6,<6.12'"


@dataclass(frozen=True)
class Text:
    """A phrase in both UI languages, used as a parameter of a template."""

    en: str
    zh: str

    def render(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


TEXTS: dict[str, tuple[str, str]] = {
    # code: (English, Chinese)
    "check_crashed": ("check failed: {error}", "检查本身出错：{error}"),
    "python_ok": ("Python {version} ({executable})", "Python {version}（{executable}）"),
    "python_old": ("Python {version} is too old: install Python 3.10 or newer and reinstall the app",
                   "Python {version} 版本过旧：请安装 Python 3.10 或更新版本并重新安装本应用"),
    "qt_missing": ("PySide6 is not installed: the desktop app cannot open (the command line works). "
                   f"Install it: {PIP_PYSIDE}",
                   f"未安装 PySide6：桌面应用无法打开（命令行可用）。请安装：{PIP_PYSIDE}"),
    "qt_bad": ("PySide6 {pyside}: {why}. Install another version: " + PIP_PYSIDE,
               "PySide6 {pyside}：{why}。请换一个版本：" + PIP_PYSIDE),
    "qt_broken": ("PySide6 {pyside} is broken on Python {python} (reference-count bug; the app would "
                  "crash). Install another version: " + PIP_PYSIDE,
                  "PySide6 {pyside} 在 Python {python} 上有缺陷（引用计数错误，应用会崩溃）。请换一个版本："
                  + PIP_PYSIDE),
    "qt_ok": ("PySide6 {pyside}, Qt {qt}", "PySide6 {pyside}，Qt {qt}"),
    "torch_missing": ("not installed: the embedded engines work without it{todo}",
                      "未安装：内置引擎无需它即可运行{todo}"),
    "torch_broken": ("installed but does not import ({error}): reinstall the PyTorch build for this "
                     "machine (README, GPU install)",
                     "已安装但无法导入（{error}）：请重新安装适合本机的 PyTorch（见 README 的 GPU 安装）"),
    "torch_ok": ("torch {version} ({build})", "torch {version}（{build}）"),
    "torchvision": ("torchvision is installed beside torch; a mismatched build breaks the OCR model's "
                    "processor: pip uninstall torchvision",
                    "torch 旁装有 torchvision；版本不匹配会使 OCR 模型的处理器失效：pip uninstall torchvision"),
    "gpu_ok": ("CUDA: {gpu}, {vram:.1f} GiB VRAM{driver}", "CUDA：{gpu}，显存 {vram:.1f} GiB{driver}"),
    "gpu_unusable": ("CUDA {cuda} build but {problem}{driver}: update the NVIDIA driver, or install the "
                     "torch build matching it; model engines run on the CPU (slow) until then",
                     "CUDA {cuda} 版本，但{problem}{driver}：请更新 NVIDIA 驱动，或安装与之匹配的 torch；"
                     "在此之前模型引擎在 CPU 上运行（较慢）"),
    "gpu_none": ("no CUDA (CPU build of torch{driver}): model engines run on the CPU, slowly. On an NVIDIA "
                 "workstation install the CUDA build (README, GPU install)",
                 "无 CUDA（CPU 版 torch{driver}）：模型引擎在 CPU 上运行，较慢。NVIDIA 工作站请安装 CUDA 版"
                 "（见 README 的 GPU 安装）"),
    "bnb_ok": ("bitsandbytes {version}: --quantization 8bit / 4bit available on CUDA",
               "bitsandbytes {version}：CUDA 上可用 --quantization 8bit / 4bit"),
    "bnb_missing_gpu": ("bitsandbytes is not installed: 8-bit / 4-bit loading (needed to fit both models on "
                        "an 8 GB card) is off. pip install bitsandbytes",
                        "未安装 bitsandbytes：无法 8 位 / 4 位加载（8 GB 显卡放下两个模型需要它）。"
                        "pip install bitsandbytes"),
    "bnb_not_needed": ("bitsandbytes not installed (only used for 8-bit / 4-bit on a CUDA GPU)",
                       "未安装 bitsandbytes（仅在 CUDA GPU 上 8 位 / 4 位加载时需要）"),
    "models_none": ("none set up: the embedded engines need none. To add one: "
                    "emr-assist models import SRC_DIR --as ocr|summary",
                    "未设置：内置引擎不需要模型。如需添加：emr-assist models import SRC_DIR --as ocr|summary"),
    "model_ok": ("{label}: {path} ({model_type}{role}, {params:.2f} B parameters)",
                 "{label}：{path}（{model_type}{role}，{params:.2f} B 参数）"),
    "model_bad": ("{label}: {path}: {problems}. Copy the folder again, or clear it in Settings",
                  "{label}：{path}：{problems}。请重新复制该文件夹，或在设置中清除"),
    "keyring_package": ("the keyring package is missing: reinstall the app", "缺少 keyring 包：请重新安装本应用"),
    "keyring_ok": ("secure OS keyring: {backends}", "安全的系统密钥环：{backends}"),
    "keyring_plaintext": ("a plain-text keyring stores secrets unencrypted: uninstall keyrings.alt and use the "
                          "OS keyring (Windows Credential Manager, GNOME Keyring / KWallet) [found: {found}]",
                          "明文密钥环不加密地保存机密：请卸载 keyrings.alt，改用系统密钥环（Windows 凭据管理器、"
                          "GNOME Keyring / KWallet）[找到：{found}]"),
    "keyring_none": ("no secure OS keyring (history stays off; server API keys cannot be saved). On Linux "
                     "install and unlock GNOME Keyring or KWallet (a desktop session); Windows has one built "
                     "in [found: {found}]",
                     "没有安全的系统密钥环（历史记录保持关闭；无法保存服务器 API 密钥）。Linux 上请安装并解锁 "
                     "GNOME Keyring 或 KWallet（需桌面会话）；Windows 自带 [找到：{found}]"),
    "fonts_none": ("no font for Chinese found: Chinese text would show as empty boxes. Debian/Ubuntu: "
                   "apt-get install fonts-noto-cjk; Windows and macOS have one built in",
                   "未找到中文字体：中文会显示为空方框。Debian/Ubuntu：apt-get install fonts-noto-cjk；"
                   "Windows 和 macOS 自带"),
    "fonts_ok": ("Chinese fonts: {families}", "中文字体：{families}"),
    "network_off": ("network guard: OFF (outgoing connections are not restricted)",
                    "网络防护：关闭（不限制向外的连接）"),
    "network_on": ("network guard: ON (loopback only; allowed hosts: {hosts})",
                   "网络防护：开启（仅本机回环；允许的主机：{hosts}）"),
    "offline_missing": ("Hugging Face offline switches not set: {switches}",
                        "未设置 Hugging Face 离线开关：{switches}"),
    "offline_ok": ("Hugging Face libraries forced offline ({switches})", "Hugging Face 库已强制离线（{switches}）"),
    "telemetry": ("{findings}", "遥测检查：{findings}"),
    "audit": ("{result}{key}", "{result}{key}"),
    "history_off": ("off: {reason}", "关闭：{reason}"),
    "history_ok": ("can be turned on (encrypted, key in the OS keyring)", "可以开启（加密，密钥存于系统密钥环）"),
}

# Phrases used as parameters.
NONE = Text("none", "无")
CPU_BUILD = Text("CPU build", "CPU 版")
NO_GPU = Text("no usable GPU found", "未找到可用的 GPU")
TORCH_NEEDED = Text("; model folders are set up, so install the PyTorch build for this machine (README, GPU "
                    "install)", "；已设置模型文件夹，请安装适合本机的 PyTorch（见 README 的 GPU 安装）")
TORCH_OPTIONAL = Text("; only the model engines need it", "；只有模型引擎需要它")
PYSIDE_REFCOUNT = Text("reference-count bug on Python < 3.12; the app crashes after a while",
                       "在 Python < 3.12 上有引用计数错误，应用运行一段时间后会崩溃")


def cuda_build(version: str) -> Text:
    return Text(f"CUDA {version} build", f"CUDA {version} 版")


def driver(version: str | None) -> Text:
    return Text(f", driver {version}", f"，驱动 {version}") if version else Text("", "")


def audit_key(source: str | None, anchored: bool) -> Text:
    """Where the audit log's key came from ("OS keyring" | "key file") and whether the anchor was checked."""
    if not source:
        return Text("", "")
    zh_source = {"OS keyring": "系统密钥环", "key file": "密钥文件"}.get(source, source)
    return Text(f"; sealed with the key from the {source}" + ("; anchor checked" if anchored else ""),
                f"；由{zh_source}中的密钥封存" + ("；已核对锚点" if anchored else ""))


def render(code: str, params: dict, language: str = "en") -> str:
    en, zh = TEXTS[code]
    values = {k: v.render(language) if isinstance(v, Text) else v for k, v in params.items()}
    return (zh if language.startswith("zh") else en).format(**values)
