<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>DropZone</name>
    <message>
      <location filename="../../desktop_app/ui/drop_zone.py" line="69" />
      <source>Drop scans, PDFs or folders here</source>
      <translation>将扫描件、PDF 或文件夹拖放到此处</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/drop_zone.py" line="70" />
      <source>PDF, PNG, JPEG, BMP, WebP, TIFF · or paste with Ctrl+V</source>
      <translation>PDF、PNG、JPEG、BMP、WebP、TIFF · 也可按 Ctrl+V 粘贴</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/drop_zone.py" line="71" />
      <source>Open files…</source>
      <translation>打开文件…</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message><location filename="../../desktop_app/ui/main_window.py" /><source>&amp;Welcome and health check…</source><translation>欢迎与健康检查(&amp;W)…</translation></message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="221" />
      <source>No files found in what was dropped.</source>
      <translation>拖入的内容中没有找到文件。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="240" />
      <source>Open documents</source>
      <translation>打开文档</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="241" />
      <source>Documents (%1);;All files (*)</source>
      <translation>文档 (%1);;所有文件 (*)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="263" />
      <source>The clipboard holds no image or file to open.</source>
      <translation>剪贴板中没有可打开的图像或文件。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="270" />
      <source>The pasted image could not be read.</source>
      <translation>无法读取粘贴的图像。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="303" />
      <source>Starting…</source>
      <translation>正在开始…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="311" />
      <source>Reading page %1 of %2</source>
      <translation>正在识别第 %1 页（共 %2 页）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="315" />
      <source>Writing the summary (%1 tokens)</source>
      <translation>正在生成摘要（%1 个词元）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="320" />
      <location filename="../../desktop_app/ui/main_window.py" line="415" />
      <source>Summarizing</source>
      <translation>正在提取摘要</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="323" />
      <source>Opening</source>
      <translation>正在打开</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="358" />
      <source>Summary updated from the corrected text.</source>
      <translation>已根据修改后的文字更新摘要。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="402" />
      <source>Cancelling…</source>
      <translation>正在取消…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="437" />
      <source>Loading page…</source>
      <translation>正在加载页面…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="468" />
      <source>Reading the document…</source>
      <translation>正在读取文档…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="472" />
      <source>Text corrected. Press “Summarize again” to update the summary.</source>
      <translation>文字已修改。请点击“重新摘要”更新摘要。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="481" />
      <source>Chief complaint</source>
      <translation>主诉</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="481" />
      <source>Diagnosis</source>
      <translation>诊断</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="482" />
      <source>Plan</source>
      <translation>处理</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="497" />
      <source>Page %1 could not be read: %2</source>
      <translation>第 %1 页无法识别：%2</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="504" />
      <source>No text was found in the document.</source>
      <translation>文档中未找到文字。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="506" />
      <source>The note has one “Assessment and Plan” section: it is shown as the plan; the diagnosis is not split out.</source>
      <translation>病历只有一个“评估与计划”部分：已作为处理显示，诊断未单独拆分。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="509" />
      <source>The heading for %1 is present but has no text.</source>
      <translation>有“%1”标题，但其下没有内容。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="515" />
      <source>Your own edits were kept for: %1</source>
      <translation>已保留您手动修改的内容：%1</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="578" />
      <source>All three fields copied.</source>
      <translation>已复制全部三项。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="579" />
      <source>%1 copied.</source>
      <translation>已复制%1。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="617" />
      <source>Waiting…</source>
      <translation>等待中…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="620" />
      <source>(%1 waiting)</source>
      <translation>（另有 %1 个等待）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="627" />
      <source>Ready</source>
      <translation>就绪</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="642" />
      <source>EMR Summary Assistant</source>
      <translation>病历摘要助手</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="648" />
      <source>Documents</source>
      <translation>文档</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="649" />
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="650" />
      <source>&amp;Edit</source>
      <translation>编辑(&amp;E)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="651" />
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="652" />
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="653" />
      <source>&amp;Open…</source>
      <translation>打开(&amp;O)…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="654" />
      <source>&amp;Paste image or file</source>
      <translation>粘贴图像或文件(&amp;P)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="655" />
      <source>&amp;Settings…</source>
      <translation>设置(&amp;S)…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="656" />
      <source>&amp;Quit</source>
      <translation>退出(&amp;Q)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="657" />
      <source>&amp;Copy all fields</source>
      <translation>复制全部三项(&amp;C)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="658" />
      <source>Summarize &amp;again</source>
      <translation>重新摘要(&amp;A)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="659" />
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="660" />
      <source>Show OCR &amp;boxes</source>
      <translation>显示识别框(&amp;B)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="661" />
      <source>Zoom &amp;in</source>
      <translation>放大(&amp;I)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="662" />
      <source>Zoom &amp;out</source>
      <translation>缩小(&amp;O)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="663" />
      <source>&amp;Fit page</source>
      <translation>适合页面(&amp;F)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="664" />
      <source>&amp;About</source>
      <translation>关于(&amp;A)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="665" />
      <source>Cancel (Esc)</source>
      <translation>取消 (Esc)</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="682" />
      <source>EMR Summary Assistant %1. Reads clinical documents on this computer and shows the chief complaint, diagnosis and plan as written in them. Nothing is sent off this computer, and no note text is kept unless encrypted history is turned on in Settings.</source>
      <translation>病历摘要助手 %1。在本机读取临床文档，显示其中记录的主诉、诊断和处理。任何内容都不会发送到本机以外；除非在设置中开启加密历史记录，否则不保存病历文字。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="692" />
      <source>Stopping…</source>
      <translation>正在停止…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="0" />
      <source>All history was deleted.</source>
      <translation>已删除全部历史记录。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/main_window.py" line="0" />
      <source>Warning: the audit log could not be written (%1).</source>
      <translation>警告：无法写入审计日志（%1）。</translation>
    </message>
  </context>
  <context>
    <name>PageThumbnails</name>
    <message>
      <location filename="../../desktop_app/ui/page_thumbnails.py" />
      <source>Page %1</source>
      <translation>第 %1 页</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_thumbnails.py" />
      <source>This page could not be read.</source>
      <translation>此页无法识别。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_thumbnails.py" />
      <source>Holds the selected field’s evidence</source>
      <translation>含所选字段的原文依据</translation>
    </message>
  </context>
  <context>
    <name>PageView</name>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="255" />
      <source>Page %1 of %2</source>
      <translation>第 %1 / %2 页</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="263" />
      <source>Fit</source>
      <translation>适合窗口</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="264" />
      <source>Fit the page to the window</source>
      <translation>使页面适合窗口</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="265" />
      <source>Zoom in (Ctrl+wheel)</source>
      <translation>放大（Ctrl+滚轮）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="266" />
      <source>Zoom out (Ctrl+wheel)</source>
      <translation>缩小（Ctrl+滚轮）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="267" />
      <source>Previous page</source>
      <translation>上一页</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="268" />
      <source>Next page</source>
      <translation>下一页</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/page_view.py" line="269" />
      <source>Show OCR boxes</source>
      <translation>显示识别框</translation>
    </message>
  </context>
  <context>
    <name>QueueList</name>
    <message>
      <location filename="../../desktop_app/ui/queue_list.py" line="74" />
      <source>waiting</source>
      <translation>等待中</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/queue_list.py" line="75" />
      <source>running…</source>
      <translation>处理中…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/queue_list.py" line="76" />
      <source>done</source>
      <translation>完成</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/queue_list.py" line="77" />
      <source>failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/queue_list.py" line="78" />
      <source>cancelled</source>
      <translation>已取消</translation>
    </message>
  </context>
  <context>
    <name>SettingsDialog</name>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="224" />
      <location filename="../../desktop_app/ui/settings_dialog.py" line="233" />
      <source>This folder does not exist.</source>
      <translation>该文件夹不存在。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="225" />
      <source>This folder is empty: the model files are missing.</source>
      <translation>该文件夹为空：缺少模型文件。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="226" />
      <source>The model check found problems: %1</source>
      <translation>模型检查发现问题：%1</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="238" />
      <source>Enter a URL such as http://127.0.0.1:8000/v1.</source>
      <translation>请输入类似 http://127.0.0.1:8000/v1 的网址。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="239" />
      <source>This host is neither this computer nor in the allowed list below; documents are never sent to it.</source>
      <translation>该主机既不是本机，也不在下方的允许列表中；文档不会发送给它。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="255" />
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="256" />
      <source>Engines</source>
      <translation>引擎</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="257" />
      <source>Languages</source>
      <translation>语言</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="258" />
      <source>Local servers</source>
      <translation>本地服务器</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="259" />
      <source>Scan inbox</source>
      <translation>扫描收件夹</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="261" />
      <source>OCR engine</source>
      <translation>OCR 引擎</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="261" />
      <source>Summarizer</source>
      <translation>摘要引擎</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="262" />
      <source>OCR model folder</source>
      <translation>OCR 模型文件夹</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="262" />
      <source>Summary model folder</source>
      <translation>摘要模型文件夹</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="263" />
      <source>Device</source>
      <translation>设备</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="263" />
      <source>Quantization</source>
      <translation>量化</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="264" />
      <source>Interface language</source>
      <translation>界面语言</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="264" />
      <source>Summary labels</source>
      <translation>摘要标签语言</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="265" />
      <source>OCR server URL</source>
      <translation>OCR 服务器地址</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="265" />
      <source>Model name on the server</source>
      <translation>服务器上的模型名称</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="266" />
      <source>Allowed hosts (one per line)</source>
      <translation>允许的主机（每行一个）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="267" />
      <source>New files in this folder are opened</source>
      <translation>自动打开此文件夹中的新文件</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="274" />
      <source>Choose…</source>
      <translation>选择…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="272" />
      <source>(not used by the embedded engines)</source>
      <translation>（内置引擎不需要）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="275" />
      <source>(none)</source>
      <translation>（未设置）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="277" />
      <source>Automatic (best installed)</source>
      <translation>自动（已安装的最佳引擎）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="278" />
      <source>Automatic</source>
      <translation>自动</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="279" />
      <source>None</source>
      <translation>无</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="280" />
      <source>System language</source>
      <translation>跟随系统</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="282" />
      <source>Same as the note</source>
      <translation>与病历语言相同</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="290" />
      <source>Settings are stored on this computer. Note text and summaries are never stored, unless you keep the encrypted history.</source>
      <translation>设置保存在本机。除非开启加密历史记录，病历文字和摘要从不保存。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="0" />
      <source>History</source>
      <translation>历史记录</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="0" />
      <source>Keep history (encrypted, kept 30 days)</source>
      <translation>保留历史记录（加密，保存 30 天）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="0" />
      <source>History is unavailable here: %1</source>
      <translation>本机无法使用历史记录：%1</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="0" />
      <source>Delete all history…</source>
      <translation>删除全部历史记录…</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="0" />
      <source>Delete all history</source>
      <translation>删除全部历史记录</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/settings_dialog.py" line="0" />
      <source>Delete every stored document and summary, and the history's key? This cannot be undone.</source>
      <translation>删除所有已保存的文档和摘要以及历史记录的密钥？此操作无法撤销。</translation>
    </message>
  </context>
  <context>
    <name>SummaryPanel</name>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="231" />
      <source>Copied ✓</source>
      <translation>已复制 ✓</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="236" />
      <source>Review before use: every field is copied from the document. Check it against the source before entering it in the EMR.</source>
      <translation>使用前请核对：各项内容均摘自原文，录入电子病历前请与原文对照。</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="238" />
      <source>Copy all</source>
      <translation>全部复制</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="239" />
      <source>Copy all three fields with their labels (Ctrl+Shift+C)</source>
      <translation>连同标签复制全部三项（Ctrl+Shift+C）</translation>
    </message>
  </context>
  <context>
    <name>TextView</name>
    <message>
      <location filename="../../desktop_app/ui/text_view.py" line="112" />
      <source>Document text (editable)</source>
      <translation>文档文字（可编辑）</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/text_view.py" line="113" />
      <source>Summarize again</source>
      <translation>重新摘要</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/text_view.py" line="114" />
      <source>Summarize the corrected text</source>
      <translation>根据修改后的文字重新提取摘要</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/text_view.py" line="115" />
      <source>The text read from the document appears here.</source>
      <translation>从文档中读取的文字显示在这里。</translation>
    </message>
  </context>
  <context>
    <name>_FieldBox</name>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="104" />
      <source>Copied ✓</source>
      <translation>已复制 ✓</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="121" />
      <source>Chief complaint</source>
      <translation>主诉</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="121" />
      <source>Diagnosis</source>
      <translation>诊断</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="122" />
      <source>Plan</source>
      <translation>处理</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="124" />
      <source>Not documented</source>
      <translation>未记录</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="117" />
      <source>Not documented in this document</source>
      <translation>本文档中未记录</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="126" />
      <source>Copy</source>
      <translation>复制</translation>
    </message>
    <message>
      <location filename="../../desktop_app/ui/summary_panel.py" line="127" />
      <source>Copy this field to the clipboard</source>
      <translation>将此项复制到剪贴板</translation>
    </message>
  </context>
  <context>
    <name>WelcomeDialog</name>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="180" />
        <source>Welcome to EMR Summary Assistant</source>
        <translation>欢迎使用病历摘要助手</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="182" />
        <source>&lt;p&gt;&lt;b&gt;It works as installed.&lt;/b&gt; Drop a scan, a photo of a note or a PDF on the window: the embedded engines read it (RapidOCR, PP-OCRv4 for Chinese and English, on the CPU) and copy the chief complaint, diagnosis and plan out of the note, each linked to its source lines. Nothing is downloaded, nothing leaves this computer, and no note text is stored.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;安装后即可使用。&lt;/b&gt;将扫描件、病历照片或 PDF 拖到窗口中：内置引擎（RapidOCR，PP-OCRv4 中英文识别，CPU 运行）读取文字，并从病历中摘录主诉、诊断和处理意见，每项都链接到原文所在行。不下载任何内容，数据不离开本机，也不保存病历文字。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="186" />
        <source>Optional: local models (GPU recommended)</source>
        <translation>可选：本地模型（建议使用 GPU）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="188" />
        <source>DeepSeek-OCR-2 and Youtu-LLM-2B read harder scans and write fuller summaries. Point at a model folder where it is, or import it (e.g. from a USB drive): the folder is checked, copied into the app's models folder and fingerprinted. They need a full install with PyTorch.</source>
        <translation>DeepSeek-OCR-2 和 Youtu-LLM-2B 能识别更难的扫描件并生成更完整的摘要。可直接指定模型文件夹所在位置，或导入（例如从 U 盘）：文件夹会先经检查，再复制到本应用的模型文件夹并记录指纹。这些模型需要包含 PyTorch 的完整安装。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="191" />
        <source>OCR model:</source>
        <translation>OCR 模型：</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="191" />
        <source>Summary model:</source>
        <translation>摘要模型：</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="192" />
        <source>Read scans with this model (deepseek-ocr2) instead of the embedded OCR</source>
        <translation>用此模型（deepseek-ocr2）代替内置 OCR 识别扫描件</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="193" />
        <source>Summarize with this model (llm) instead of the embedded extractor</source>
        <translation>用此模型（llm）代替内置提取器生成摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="196" />
        <source>none (embedded engine)</source>
        <translation>无（使用内置引擎）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="197" />
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="198" />
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="200" />
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="201" />
        <source>Health check of this computer</source>
        <translation>本机健康检查</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="202" />
        <source>Check again</source>
        <translation>重新检查</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="204" />
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="310" />
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="228" />
        <source>Choose the model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="236" />
        <source>Choose the model folder to import</source>
        <translation>选择要导入的模型文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="255" />
        <source>Checking and copying %1…</source>
        <translation>正在检查并复制 %1…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="262" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="277" />
        <source>Imported to %1</source>
        <translation>已导入到 %1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="286" />
        <source>Import cancelled; nothing was copied.</source>
        <translation>导入已取消，未复制任何内容。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="291" />
        <source>Import failed: %1</source>
        <translation>导入失败：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="325" />
        <source>%1 problem(s) need attention: see the lines marked FAIL.</source>
        <translation>%1 个问题需要处理：请查看标为 FAIL 的行。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="328" />
        <source>Ready. %1 warning(s): see the lines marked WARN.</source>
        <translation>可以使用。%1 条警告：请查看标为 WARN 的行。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="330" />
        <source>Everything looks fine.</source>
        <translation>一切正常。</translation>
    </message>
</context>
</TS>
