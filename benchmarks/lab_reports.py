"""A generator of realistic lab reports (zh + en), rendered as page images, with the true rows beside them.

For the lab-results benchmark (`benchmarks/lab_results.py`) and tests. Every report is synthetic: the
values are drawn around published adult reference ranges, no patient data is involved.

Layouts vary the things that break table reading: 4 to 6 columns, two result blocks side by side,
test names wrapped over two lines, printed flags (H/L, ↑/↓, *) or none, several panels a page.
Renders: clean, scanned (skew, blur, JPEG) and phone photo (perspective, uneven light, blur, JPEG).
"""

from __future__ import annotations

import io
import random
from dataclasses import asdict, dataclass

from PIL import Image, ImageDraw, ImageFilter

from desktop_app.render import A4_INCHES, load_font, scan_damage

DPI = 200


@dataclass(frozen=True)
class Analyte:
    en: str
    zh: str
    code: str
    unit: str
    low: float | None  # None: only an upper limit is printed ("<5.2")
    high: float | None  # None: only a lower limit is printed (">1.04")
    decimals: int


@dataclass
class TrueRow:
    test: str
    value: str
    unit: str
    reference_range: str
    flag: str  # the flag printed on the page, "" when none is printed
    abnormal: bool  # outside the printed range


PANELS: dict[str, tuple[str, str, list[Analyte]]] = {
    "cbc": ("COMPLETE BLOOD COUNT (CBC)", "血常规", [
        Analyte("White blood cell count", "白细胞计数", "WBC", "10^9/L", 3.5, 9.5, 2),
        Analyte("Red blood cell count", "红细胞计数", "RBC", "10^12/L", 4.3, 5.8, 2),
        Analyte("Hemoglobin", "血红蛋白", "HGB", "g/L", 130, 175, 0),
        Analyte("Hematocrit", "红细胞压积", "HCT", "%", 40, 50, 1),
        Analyte("Mean corpuscular volume", "平均红细胞体积", "MCV", "fL", 82, 100, 1),
        Analyte("Mean corpuscular hemoglobin concentration", "平均红细胞血红蛋白浓度", "MCHC", "g/L", 316, 354, 0),
        Analyte("Platelet count", "血小板计数", "PLT", "10^9/L", 125, 350, 0),
        Analyte("Neutrophil percentage", "中性粒细胞百分比", "NEUT%", "%", 40, 75, 1),
    ]),
    "bmp": ("BASIC METABOLIC PANEL", "生化", [
        Analyte("Sodium", "钠", "Na", "mmol/L", 137, 147, 1),
        Analyte("Potassium", "钾", "K", "mmol/L", 3.5, 5.3, 1),
        Analyte("Chloride", "氯", "Cl", "mmol/L", 99, 110, 1),
        Analyte("Bicarbonate", "二氧化碳结合力", "CO2", "mmol/L", 22, 29, 1),
        Analyte("Urea", "尿素", "UREA", "mmol/L", 2.8, 7.2, 2),
        Analyte("Creatinine", "肌酐", "CREA", "umol/L", 57, 111, 0),
        Analyte("Glucose", "葡萄糖", "GLU", "mmol/L", 3.9, 6.1, 2),
        Analyte("Calcium", "钙", "Ca", "mmol/L", 2.11, 2.52, 2),
    ]),
    "liver": ("LIVER FUNCTION PANEL", "肝功能", [
        Analyte("Alanine aminotransferase", "丙氨酸氨基转移酶", "ALT", "U/L", 9, 50, 0),
        Analyte("Aspartate aminotransferase", "天门冬氨酸氨基转移酶", "AST", "U/L", 15, 40, 0),
        Analyte("Alkaline phosphatase", "碱性磷酸酶", "ALP", "U/L", 45, 125, 0),
        Analyte("Total bilirubin", "总胆红素", "TBIL", "umol/L", 0, 21, 1),
        Analyte("Albumin", "白蛋白", "ALB", "g/L", 40, 55, 1),
    ]),
    "lipids": ("LIPID PANEL", "血脂", [
        Analyte("Total cholesterol", "总胆固醇", "TC", "mmol/L", None, 5.2, 2),
        Analyte("Triglycerides", "甘油三酯", "TG", "mmol/L", None, 1.7, 2),
        Analyte("HDL cholesterol", "高密度脂蛋白胆固醇", "HDL-C", "mmol/L", 1.04, None, 2),
        Analyte("LDL cholesterol", "低密度脂蛋白胆固醇", "LDL-C", "mmol/L", None, 3.4, 2),
    ]),
    "coag": ("COAGULATION", "凝血功能", [
        Analyte("Prothrombin time", "凝血酶原时间", "PT", "s", 11.0, 14.5, 1),
        Analyte("International normalized ratio", "国际标准化比值", "INR", "", 0.8, 1.2, 2),
        Analyte("Activated partial thromboplastin time", "活化部分凝血活酶时间", "APTT", "s", 25, 35, 1),
        Analyte("Fibrinogen", "纤维蛋白原", "FIB", "g/L", 2.0, 4.0, 2),
    ]),
}


@dataclass(frozen=True)
class Layout:
    name: str
    language: str
    columns: tuple[str, ...]  # test, code, value, flag, unit, range — in printed order
    side_by_side: bool = False
    flag_style: str = "HL"  # "HL", "arrows", "star", or "" (no flags printed)


LAYOUTS = [
    Layout("en-5col", "en", ("test", "value", "flag", "unit", "range")),
    Layout("en-4col-noflag", "en", ("test", "value", "unit", "range"), flag_style=""),
    Layout("en-6col", "en", ("test", "code", "value", "flag", "unit", "range"), flag_style="star"),
    Layout("en-side", "en", ("test", "value", "unit", "range"), side_by_side=True, flag_style=""),
    Layout("zh-6col", "zh", ("test", "code", "value", "flag", "unit", "range"), flag_style="arrows"),
    Layout("zh-5col", "zh", ("test", "value", "flag", "unit", "range"), flag_style="arrows"),
    Layout("zh-side", "zh", ("test", "value", "flag", "range"), side_by_side=True, flag_style="arrows"),
    Layout("zh-4col-noflag", "zh", ("test", "value", "unit", "range"), flag_style=""),
]

HEADERS = {
    "en": {"test": "Test", "code": "Code", "value": "Result", "flag": "Flag", "unit": "Units",
           "range": "Reference Range"},
    "zh": {"test": "项目名称", "code": "代号", "value": "结果", "flag": "提示", "unit": "单位",
           "range": "参考范围"},
}
# Relative column widths; the test column is the widest.
WIDTHS = {"test": 2.6, "code": 1.0, "value": 1.0, "flag": 0.7, "unit": 1.2, "range": 1.6}


def format_range(a: Analyte) -> str:
    fmt = f"{{:.{a.decimals}f}}"
    if a.low is None:
        return f"<{fmt.format(a.high)}"
    if a.high is None:
        return f">{fmt.format(a.low)}"
    return f"{fmt.format(a.low)}-{fmt.format(a.high)}"


def draw_value(a: Analyte, rng: random.Random, abnormal_rate: float) -> tuple[str, bool, str]:
    """A value, whether it lies outside the range, and which side ("H"/"L"/"")."""
    low = a.low if a.low is not None else a.high * 0.4
    high = a.high if a.high is not None else a.low * 2.0
    span = high - low
    side = ""
    if rng.random() < abnormal_rate:
        side = rng.choice(["H", "L"]) if a.low not in (None, 0) and a.high is not None else (
            "H" if a.high is not None else "L")
    if side == "H":
        value = high + span * rng.uniform(0.08, 0.6)
    elif side == "L":
        value = max(low - span * rng.uniform(0.08, 0.5), low * 0.3)
    else:
        value = rng.uniform(low + 0.05 * span, high - 0.05 * span)
    text = f"{value:.{a.decimals}f}"
    number = float(text)
    outside = (a.low is not None and number < a.low) or (a.high is not None and number > a.high)
    return text, outside, ("H" if a.high is not None and number > a.high else "L" if outside else "")


FLAG_TEXT = {"HL": {"H": "H", "L": "L"}, "arrows": {"H": "↑", "L": "↓"}, "star": {"H": "*", "L": "*"}, "": {}}


def make_report(seed: int, layout: Layout, n_panels: int) -> tuple[list[dict], list[list[str]], str]:
    """The report's content: panels of printed rows (cells by column) and the true rows."""
    rng = random.Random(seed)
    names = rng.sample(sorted(PANELS), n_panels)
    panels, truth = [], []
    for name in names:
        title_en, title_zh, analytes = PANELS[name]
        rows = []
        for a in analytes:
            value, outside, side = draw_value(a, rng, abnormal_rate=0.3)
            flag = FLAG_TEXT[layout.flag_style].get(side, "") if outside else ""
            test = a.en if layout.language == "en" else a.zh
            # A side-by-side block has no unit column in some layouts: the unit is then not printed.
            unit = a.unit if "unit" in layout.columns else ""
            cells = {"test": test, "code": a.code, "value": value, "flag": flag, "unit": a.unit,
                     "range": format_range(a)}
            rows.append(cells)
            truth.append(asdict(TrueRow(test=test, value=value, unit=unit, reference_range=format_range(a),
                                        flag=flag if "flag" in layout.columns else "", abnormal=outside)))
        panels.append({"title": title_en if layout.language == "en" else title_zh, "rows": rows})
    return panels, truth, "zh" if layout.language == "zh" else "en"


def _fit_lines(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> list[str]:
    """Wrap a cell's text to its column (words for Latin, characters for CJK)."""
    if draw.textlength(text, font=font) <= width:
        return [text]
    units = text.split(" ") if " " in text else list(text)
    sep = " " if " " in text else ""
    lines, line = [], ""
    for unit in units:
        trial = f"{line}{sep}{unit}" if line else unit
        if draw.textlength(trial, font=font) > width and line:
            lines.append(line)
            line = unit
        else:
            line = trial
    return lines + [line]


def render_report(panels: list[dict], layout: Layout, seed: int) -> Image.Image:
    width, height = int(A4_INCHES[0] * DPI), int(A4_INCHES[1] * DPI)
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)
    size_pt = 8.5 if layout.side_by_side else 10
    font = load_font("sans", int(size_pt / 72 * DPI))
    bold = load_font("sans", int((size_pt + 0.5) / 72 * DPI), bold=True)
    title = load_font("sans", int(15 / 72 * DPI), bold=True)
    margin = int(0.7 * DPI)
    line_h = int(font.size * 1.55)
    rng = random.Random(seed)
    zh = layout.language == "zh"
    y = margin
    draw.text((margin, y), "市第一人民医院检验报告单" if zh else "CITY GENERAL HOSPITAL — LABORATORY REPORT",
              font=title, fill=(10, 10, 10))
    y += int(title.size * 1.8)
    banner = (f"姓名：测试{rng.randint(1, 99)}号  性别：{rng.choice('男女')}  年龄：{rng.randint(20, 85)}岁  "
              f"标本：血清  送检日期：2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}") if zh else (
        f"Patient: TEST, Sample {rng.randint(1, 99)}   Sex: {rng.choice('MF')}   Age: {rng.randint(20, 85)}   "
        f"Specimen: Serum   Collected: 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}")
    draw.text((margin, y), banner, font=font, fill=(20, 20, 20))
    y += int(line_h * 1.6)
    blocks = 2 if layout.side_by_side else 1
    gap = int(0.35 * DPI)
    block_w = (width - 2 * margin - (blocks - 1) * gap) / blocks
    total = sum(WIDTHS[c] for c in layout.columns)
    col_w = [block_w * WIDTHS[c] / total for c in layout.columns]
    for panel in panels:
        draw.text((margin, y), panel["title"], font=bold, fill=(10, 10, 10))
        y += int(line_h * 1.3)
        for b in range(blocks):
            x = margin + b * (block_w + gap)
            for c, w in zip(layout.columns, col_w, strict=True):
                header = HEADERS[layout.language][c]
                if layout.side_by_side and c == "range" and layout.language == "en":
                    header = "Ref. Range"
                draw.text((x, y), header, font=bold, fill=(10, 10, 10))
                x += w
        draw.line((margin, y + line_h - 4, width - margin, y + line_h - 4), fill=(80, 80, 80), width=2)
        y += line_h
        rows = panel["rows"]
        per_block = (len(rows) + blocks - 1) // blocks
        block_rows = [rows[i * per_block:(i + 1) * per_block] for i in range(blocks)]
        row_y = [y] * blocks
        for b, chunk in enumerate(block_rows):
            for cells in chunk:
                x = margin + b * (block_w + gap)
                used = 1
                for c, w in zip(layout.columns, col_w, strict=True):
                    # Only test names wrap, as on real reports; values, units and ranges fit their column.
                    lines = _fit_lines(draw, cells[c], font, w - 0.15 * DPI) if c == "test" else [cells[c]]
                    for k, text in enumerate(lines):
                        draw.text((x, row_y[b] + k * line_h), text, font=font, fill=(20, 20, 20))
                    used = max(used, len(lines))
                    x += w
                row_y[b] += used * line_h
        y = max(row_y) + int(line_h * 0.9)
    draw.text((margin, y + line_h), "检验者：张三  审核者：李四" if zh else "Performed by: lab   Verified by: lab",
              font=font, fill=(20, 20, 20))
    return page


def phone_photo(page: Image.Image, seed: int) -> Image.Image:
    """A phone photo of the printout: mild perspective, uneven light, blur, JPEG."""
    rng = random.Random(seed)
    w, h = page.size
    d = 0.025
    # Corners of the source quad (a slightly keystoned sheet), mapped onto the full frame.
    quad = (rng.uniform(0, d) * w, rng.uniform(0, d) * h, rng.uniform(0, d) * w, h - rng.uniform(0, d) * h,
            w - rng.uniform(0, d) * w, h - rng.uniform(0, d) * h, w - rng.uniform(0, d) * w, rng.uniform(0, d) * h)
    warped = page.transform((w, h), Image.QUAD, quad, resample=Image.BICUBIC, fillcolor=(235, 232, 225))
    warped = warped.rotate(rng.uniform(-1.5, 1.5), resample=Image.BICUBIC, fillcolor=(235, 232, 225))
    shade = Image.linear_gradient("L").resize((w, h)).point(lambda v: 255 - v // 5)
    if rng.random() < 0.5:
        shade = shade.transpose(Image.Transpose.ROTATE_180)
    warped = Image.composite(warped, Image.new("RGB", (w, h), (120, 118, 112)), shade)
    warped = warped.filter(ImageFilter.GaussianBlur(0.8))
    buffer = io.BytesIO()
    warped.save(buffer, "JPEG", quality=65)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


RENDERS = ("clean", "scanned", "photo")


def generate(seed: int, layout: Layout, render: str = "clean", n_panels: int | None = None
             ) -> tuple[Image.Image, list[dict], str]:
    """One page: (image, true rows, language)."""
    n_panels = n_panels or (1 + seed % 2 if layout.side_by_side else 1 + seed % 3)
    panels, truth, language = make_report(seed, layout, n_panels)
    image = render_report(panels, layout, seed)
    if render == "scanned":
        image = scan_damage(image, seed=seed, skew_deg=1.0, blur=0.6, jpeg_quality=70)
    elif render == "photo":
        image = phone_photo(image, seed)
    return image, truth, language
