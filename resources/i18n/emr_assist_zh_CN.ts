<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>DocumentQueue</name>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="774" />
        <source>Reading the document…</source>
        <translation>正在读取文档…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="778" />
        <source>Text corrected. Press “Summarize again” to update the summary.</source>
        <translation>文字已修改。请点击“重新摘要”更新摘要。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="787" />
        <source>Chief complaint</source>
        <translation>主诉</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="787" />
        <source>Diagnosis</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="788" />
        <source>Plan</source>
        <translation>处理</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="804" />
        <source>Page %1 could not be read: %2</source>
        <translation>第 %1 页无法识别：%2</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="813" />
        <source>No text was found in the document.</source>
        <translation>文档中未找到文字。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="815" />
        <source>The note has one “Assessment and Plan” section: it is shown as the plan; the diagnosis is not split out.</source>
        <translation>病历只有一个“评估与计划”部分：已作为处理显示，诊断未单独拆分。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="818" />
        <source>The heading for %1 is present but has no text.</source>
        <translation>有“%1”标题，但其下没有内容。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/document_queue.py" line="824" />
        <source>Your own edits were kept for: %1</source>
        <translation>已保留您手动修改的内容：%1</translation>
    </message>
</context>
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
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1" />
        <source>Lab results copied.</source>
        <translation>已复制检验结果。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1113" />
        <source>&amp;Welcome and health check…</source>
        <translation>欢迎与健康检查(&amp;W)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="278" />
        <location filename="../../desktop_app/ui/main_window.py" line="287" />
        <source>No files found in what was dropped.</source>
        <translation>拖入的内容中没有找到文件。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="275" />
        <source>Looking for documents…</source>
        <translation>正在查找文档…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_app/ui/main_window.py" line="285" />
        <source>Skipped %n file(s) that are not documents (PDF or image).</source>
        <translation>
            <numerusform>已跳过 %n 个非文档文件（不是 PDF 或图像）。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="317" />
        <source>Open documents</source>
        <translation>打开文档</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="318" />
        <source>Documents (%1);;All files (*)</source>
        <translation>文档 (%1);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="340" />
        <source>The clipboard holds no image or file to open.</source>
        <translation>剪贴板中没有可打开的图像或文件。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="347" />
        <source>The pasted image could not be read.</source>
        <translation>无法读取粘贴的图像。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="370" />
        <source>This system does not let applications capture the screen (e.g. Wayland): use its screenshot tool and paste (Ctrl+V).</source>
        <translation>此系统不允许应用程序截取屏幕（例如 Wayland）：请使用系统截图工具后粘贴（Ctrl+V）。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="415" />
        <source>Starting…</source>
        <translation>正在开始…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="423" />
        <source>Reading page %1 of %2</source>
        <translation>正在识别第 %1 页（共 %2 页）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="427" />
        <source>Writing the summary (%1 tokens)</source>
        <translation>正在生成摘要（%1 个词元）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="432" />
        <location filename="../../desktop_app/ui/main_window.py" line="685" />
        <source>Summarizing</source>
        <translation>正在提取摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="435" />
        <source>Opening</source>
        <translation>正在打开</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="476" />
        <source>Summary updated from the corrected text.</source>
        <translation>已根据修改后的文字更新摘要。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="549" />
        <location filename="../../desktop_app/ui/main_window.py" line="580" />
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_app/ui/main_window.py" line="573" />
        <source>Cancel all %n document(s) still being read or waiting?</source>
        <translation>
            <numerusform>取消全部 %n 个正在识别或等待中的文档？</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="605" />
        <source>Every document in the list is marked done.</source>
        <translation>列表中的所有文档都已标记为完成。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="621" />
        <source>Read %1 again? Your corrections to it will be lost.</source>
        <translation>重新识别 %1？您对它的修改将会丢失。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="708" />
        <source>Loading page…</source>
        <translation>正在加载页面…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="923" />
        <source>All three fields copied.</source>
        <translation>已复制全部三项。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="924" />
        <source>%1 copied.</source>
        <translation>已复制%1。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1048" />
        <source>Waiting…</source>
        <translation>等待中…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1051" />
        <source>(%1 waiting)</source>
        <translation>（另有 %1 个等待）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1060" />
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1076" />
        <source>EMR Summary Assistant</source>
        <translation>病历摘要助手</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1083" />
        <source>Documents</source>
        <translation>文档</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1084" />
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1085" />
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1086" />
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1087" />
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1088" />
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1089" />
        <source>&amp;Paste image or file</source>
        <translation>粘贴图像或文件(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1090" />
        <source>&amp;Capture a screen region…</source>
        <translation>截取屏幕区域(&amp;C)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1091" />
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1092" />
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1093" />
        <source>&amp;Copy all fields</source>
        <translation>复制全部三项(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1095" />
        <source>Copy %1</source>
        <translation>复制%1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1096" />
        <source>&amp;Documents</source>
        <translation>文档(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1097" />
        <source>&amp;Done, next patient</source>
        <translation>完成，下一位患者(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1098" />
        <source>&amp;Previous document</source>
        <translation>上一个文档(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1099" />
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1100" />
        <source>Re&amp;move from the list</source>
        <translation>从列表中移除(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1101" />
        <source>C&amp;lear finished</source>
        <translation>清除已完成(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1102" />
        <source>Cancel &amp;all…</source>
        <translation>全部取消(&amp;A)…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1103" />
        <source>Cancel all…</source>
        <translation>全部取消…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1104" />
        <source>Summarize &amp;again</source>
        <translation>重新摘要(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1105" />
        <source>Cancel the running document</source>
        <translation>取消正在识别的文档</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1106" />
        <source>Show OCR &amp;boxes</source>
        <translation>显示识别框(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1107" />
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1108" />
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1109" />
        <source>&amp;Fit page</source>
        <translation>适合页面(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1110" />
        <source>Fit &amp;width</source>
        <translation>适合宽度(&amp;W)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1111" />
        <source>Show document &amp;text</source>
        <translation>显示文档文字(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1112" />
        <source>&amp;About</source>
        <translation>关于(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1114" />
        <source>Cancel (Esc)</source>
        <translation>取消 (Esc)</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1139" />
        <source>EMR Summary Assistant %1. Reads clinical documents on this computer and shows the chief complaint, diagnosis and plan as written in them. Nothing is sent off this computer, and no note text is kept unless encrypted history is turned on in Settings.</source>
        <translation>病历摘要助手 %1。在本机读取临床文档，显示其中记录的主诉、诊断和处理。任何内容都不会发送到本机以外；除非在设置中开启加密历史记录，否则不保存病历文字。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1150" />
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1031" />
        <source>All history was deleted.</source>
        <translation>已删除全部历史记录。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/main_window.py" line="1040" />
        <source>Warning: the audit log could not be written (%1).</source>
        <translation>警告：无法写入审计日志（%1）。</translation>
    </message>
</context>
<context>
    <name>PageThumbnails</name>
    <message>
        <location filename="../../desktop_app/ui/page_thumbnails.py" line="159" />
        <source>Page %1</source>
        <translation>第 %1 页</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_thumbnails.py" line="161" />
        <source>This page could not be read.</source>
        <translation>此页无法识别。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_thumbnails.py" line="163" />
        <source>Holds the selected field’s evidence</source>
        <translation>含所选字段的原文依据</translation>
    </message>
</context>
<context>
    <name>PageView</name>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="298" />
        <source>The OCR is unsure of this word</source>
        <translation>OCR 对此处文字没有把握</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="335" />
        <source>Page %1 of %2</source>
        <translation>第 %1 / %2 页</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="343" />
        <source>Fit</source>
        <translation>适合窗口</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="344" />
        <source>Fit the page to the window</source>
        <translation>使页面适合窗口</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="345" />
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="346" />
        <source>Fit the page's width to the window</source>
        <translation>页面宽度适合窗口</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="347" />
        <source>Zoom in (Ctrl+wheel)</source>
        <translation>放大（Ctrl+滚轮）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="348" />
        <source>Zoom out (Ctrl+wheel)</source>
        <translation>缩小（Ctrl+滚轮）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="349" />
        <source>Previous page</source>
        <translation>上一页</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="350" />
        <source>Next page</source>
        <translation>下一页</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/page_view.py" line="351" />
        <source>Show OCR boxes</source>
        <translation>显示识别框</translation>
    </message>
</context>
<context>
    <name>QueueList</name>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="155" />
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="120" />
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="122" />
        <source>Cancel this document</source>
        <translation>取消此文档</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="124" />
        <source>Remove from the list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="126" />
        <source>Cancel all…</source>
        <translation>全部取消…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="128" />
        <source>Clear finished</source>
        <translation>清除已完成</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="129" />
        <source>Remove the documents marked done from the list</source>
        <translation>从列表中移除已标记完成的文档</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="153" />
        <source>done ✓ reviewed</source>
        <translation>完成 ✓ 已核对</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="156" />
        <source>reading…</source>
        <translation>正在识别…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="157" />
        <source>ready to review</source>
        <translation>待核对</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="158" />
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="159" />
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/queue_list.py" line="169" />
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>RegionCapture</name>
    <message>
        <location filename="../../desktop_app/ui/region_capture.py" line="54" />
        <source>Drag over the text to read · Esc cancels</source>
        <translation>拖动框选要识别的文字 · Esc 取消</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="88" />
        <source>The OCR is unsure of this row: check it on the page before copying.</source>
        <translation>OCR 对此行没有把握：复制前请对照原页面核对。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="133" />
        <source>Copied ✓</source>
        <translation>已复制 ✓</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_app/ui/results_panel.py" line="141" />
        <source>%n abnormal</source>
        <translation>
            <numerusform>%n 项异常</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_app/ui/results_panel.py" line="143" />
        <source>%n uncertain — check</source>
        <translation>
            <numerusform>%n 项存疑 — 请核对</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="147" />
        <source>Results</source>
        <translation>检验结果</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="148" />
        <source>Test</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="148" />
        <source>Value</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="148" />
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="149" />
        <source>Reference range</source>
        <translation>参考范围</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="149" />
        <source>Flag</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="150" />
        <source>Copy lines</source>
        <translation>按行复制</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="151" />
        <source>One line per result, e.g. "Potassium 5.9 mmol/L (3.5-5.3) H"</source>
        <translation>每项结果一行，例如“钾 5.9 mmol/L (3.5-5.3) H”</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="152" />
        <source>Copy as table</source>
        <translation>按表格复制</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="153" />
        <source>Tab-separated cells that paste into a spreadsheet or an EMR grid</source>
        <translation>以制表符分隔，可粘贴到电子表格或电子病历表格中</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="314" />
        <location filename="../../desktop_app/ui/settings_dialog.py" line="323" />
        <source>This folder does not exist.</source>
        <translation>该文件夹不存在。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="315" />
        <source>This folder is empty: the model files are missing.</source>
        <translation>该文件夹为空：缺少模型文件。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="316" />
        <source>The model check found problems: %1</source>
        <translation>模型检查发现问题：%1</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="328" />
        <source>Enter a URL such as http://127.0.0.1:8000/v1.</source>
        <translation>请输入类似 http://127.0.0.1:8000/v1 的网址。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="329" />
        <source>This host is neither this computer nor in the allowed list below; documents are never sent to it.</source>
        <translation>该主机既不是本机，也不在下方的允许列表中；文档不会发送给它。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="347" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="348" />
        <source>Engines</source>
        <translation>引擎</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="351" />
        <source>Local servers</source>
        <translation>本地服务器</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="352" />
        <source>Scan inbox</source>
        <translation>扫描收件夹</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="354" />
        <source>OCR engine</source>
        <translation>OCR 引擎</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="354" />
        <source>Summarizer</source>
        <translation>摘要引擎</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="355" />
        <source>OCR model folder</source>
        <translation>OCR 模型文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="355" />
        <source>Summary model folder</source>
        <translation>摘要模型文件夹</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="356" />
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="356" />
        <source>Quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="357" />
        <source>Interface language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="357" />
        <source>Summary labels</source>
        <translation>摘要标签语言</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="358" />
        <source>OCR server URL</source>
        <translation>OCR 服务器地址</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="358" />
        <source>Model name on the server</source>
        <translation>服务器上的模型名称</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="287" />
        <source>Summary server URL</source>
        <translation>摘要服务器地址</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="276" />
        <source>The chosen engine runs on a server: enter its URL and the model name on it.</source>
        <translation>所选引擎在服务器上运行：请填写服务器地址及其上的模型名称。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="288" />
        <source>Model name on the summary server</source>
        <translation>摘要服务器上的模型名称</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="289" />
        <source>Documents at once (servers only)</source>
        <translation>同时处理的文档数（仅限服务器）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="301" />
        <source>How many documents are sent at once when the OCR and the summary run on servers; engines that run on this computer always take one document at a time.</source>
        <translation>OCR 和摘要在服务器上运行时，同时发送的文档数；在本机运行的引擎始终一次处理一个文档。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="359" />
        <source>Allowed hosts (one per line)</source>
        <translation>允许的主机（每行一个）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="360" />
        <source>New files in this folder are opened</source>
        <translation>自动打开此文件夹中的新文件</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="361" />
        <source>Text size</source>
        <translation>文字大小</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="361" />
        <source>“Copy all” labels</source>
        <translation>“全部复制”格式</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="368" />
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="366" />
        <source>(not used by the embedded engines)</source>
        <translation>（内置引擎不需要）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="349" />
        <source>Reading and copying</source>
        <translation>阅读与复制</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="350" />
        <source>Advanced: engines, model folders, servers</source>
        <translation>高级：引擎、模型文件夹、服务器</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="369" />
        <source>(none)</source>
        <translation>（未设置）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="374" />
        <source>History is unavailable on this computer: there is no secure OS keyring (or encryption support) to protect its key.</source>
        <translation>此电脑无法保存历史记录：没有可用于保护其密钥的安全系统密钥环（或加密支持）。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="379" />
        <source>Automatic (best installed)</source>
        <translation>自动（已安装的最佳引擎）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="380" />
        <source>Automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="381" />
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="382" />
        <source>System language</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="384" />
        <source>Same as the note</source>
        <translation>与病历语言相同</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="387" />
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="388" />
        <source>%1 pt</source>
        <translation>%1 磅</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="389" />
        <source>Plan: …</source>
        <translation>处理：…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="389" />
        <source>PLAN: …</source>
        <translation>处理：…（英文标签大写）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="390" />
        <source>【Plan】…</source>
        <translation>【处理】…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="391" />
        <source>One field per line</source>
        <translation>每项一行</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="392" />
        <source>A blank line between fields</source>
        <translation>各项之间空一行</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="398" />
        <source>Settings are stored on this computer. Note text and summaries are never stored, unless you keep the encrypted history.</source>
        <translation>设置保存在本机。除非开启加密历史记录，病历文字和摘要从不保存。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="370" />
        <source>History</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="371" />
        <source>Keep history (encrypted, kept 30 days)</source>
        <translation>保留历史记录（加密，保存 30 天）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="377" />
        <source>Delete all history…</source>
        <translation>删除全部历史记录…</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="298" />
        <source>Delete all history</source>
        <translation>删除全部历史记录</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/settings_dialog.py" line="299" />
        <source>Delete every stored document and summary, and the history's key? This cannot be undone.</source>
        <translation>删除所有已保存的文档和摘要以及历史记录的密钥？此操作无法撤销。</translation>
    </message>
</context>
<context>
    <name>SummaryPanel</name>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="445" />
        <source>Copied ✓</source>
        <translation>已复制 ✓</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="488" />
        <source>⚠ 1 uncertain word — check</source>
        <translation>⚠ 1 处文字存疑 — 请核对</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="488" />
        <source>⚠ %1 uncertain words — check</source>
        <translation>⚠ %1 处文字存疑 — 请核对</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="493" />
        <source>Note %1 of %2</source>
        <translation>第 %1 份病历，共 %2 份</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="497" />
        <source>Review before use: every field is copied from the document. Check it against the source before entering it in the EMR.</source>
        <translation>使用前请核对：各项内容均摘自原文，录入电子病历前请与原文对照。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="499" />
        <source>Copy all</source>
        <translation>全部复制</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="500" />
        <source>Copy all three fields with their labels (Ctrl+Shift+C)</source>
        <translation>连同标签复制全部三项（Ctrl+Shift+C）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="501" />
        <source>Done ✓ Next patient</source>
        <translation>完成 ✓ 下一位患者</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="502" />
        <source>Mark this document done and show the next one (Ctrl+Down)</source>
        <translation>将此文档标记为完成并显示下一个（Ctrl+↓）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="503" />
        <source>Previous note</source>
        <translation>上一份病历</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/summary_panel.py" line="504" />
        <source>Next note</source>
        <translation>下一份病历</translation>
    </message>
</context>
<context>
    <name>TextView</name>
    <message>
        <location filename="../../desktop_app/ui/text_view.py" line="118" />
        <source>Document text (editable)</source>
        <translation>文档文字（可编辑）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/text_view.py" line="119" />
        <source>Summarize again</source>
        <translation>重新摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/text_view.py" line="120" />
        <source>Summarize the corrected text</source>
        <translation>根据修改后的文字重新提取摘要</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/text_view.py" line="121" />
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/text_view.py" line="122" />
        <source>Hide the document text (View → Show document text)</source>
        <translation>隐藏文档文字（视图 → 显示文档文字）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/text_view.py" line="123" />
        <source>The text read from the document appears here.</source>
        <translation>从文档中读取的文字显示在这里。</translation>
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
        <source>Read scans with this model (%1) instead of the embedded OCR</source>
        <translation>用此模型（%1）代替内置 OCR 识别扫描件</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="193" />
        <source>Summarize with this model (%1) instead of the embedded extractor</source>
        <translation>用此模型（%1）代替内置提取器生成摘要</translation>
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
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="326" />
        <source>%1 problem(s) need attention: see the lines marked FAIL.</source>
        <translation>%1 个问题需要处理：请查看标为“失败”的行。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="329" />
        <source>Ready. %1 warning(s): see the lines marked WARN.</source>
        <translation>可以使用。%1 条警告：请查看标为“警告”的行。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="331" />
        <source>Everything looks fine.</source>
        <translation>一切正常。</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="341" />
        <source>OK</source>
        <translation>正常</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="341" />
        <source>WARN</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="341" />
        <source>FAIL</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="342" />
        <source>GPU</source>
        <translation>显卡</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="343" />
        <source>quantization</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="343" />
        <source>models</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="343" />
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="344" />
        <source>keyring</source>
        <translation>密钥环</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="344" />
        <source>fonts</source>
        <translation>字体</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="344" />
        <source>network</source>
        <translation>网络</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="345" />
        <source>offline mode</source>
        <translation>离线模式</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="345" />
        <source>telemetry</source>
        <translation>遥测</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="346" />
        <source>audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="346" />
        <source>history</source>
        <translation>历史记录</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/welcome_dialog.py" line="349" />
        <source>%1 OK, %2 warning(s), %3 error(s)</source>
        <translation>%1 项正常，%2 项警告，%3 项错误</translation>
    </message>
</context>
<context>
    <name>FieldBox</name>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="159" />
        <source>Copied ✓</source>
        <translation>已复制 ✓</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="249" />
        <source>Empty: Copy gives “%1”</source>
        <translation>为空：复制结果为“%1”</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="253" />
        <source>Chief complaint</source>
        <translation>主诉</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="253" />
        <source>Diagnosis</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="254" />
        <source>Plan</source>
        <translation>处理</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="260" />
        <source>Copy this field to the clipboard (Ctrl+%1)</source>
        <translation>将此项复制到剪贴板（Ctrl+%1）</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="247" />
        <source>Not documented in this document</source>
        <translation>本文档中未记录</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="191" />
        <source>⚠ 1 uncertain word — check</source>
        <translation>⚠ 1 处文字存疑 — 请核对</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="191" />
        <source>⚠ %1 uncertain words — check</source>
        <translation>⚠ %1 处文字存疑 — 请核对</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="256" />
        <source>✓ copied</source>
        <translation>✓ 已复制</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/field_box.py" line="259" />
        <source>Copy</source>
        <translation>复制</translation>
    </message>
</context>
<context>
    <name>ResultsPanel</name>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Results</source>
        <translation>检验结果</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Test</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Value</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Reference range</source>
        <translation>参考范围</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Flag</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Copy lines</source>
        <translation>按行复制</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>One line per result, e.g. &quot;Potassium 5.9 mmol/L (3.5-5.3) H&quot;</source>
        <translation>每项结果一行，例如“钾 5.9 mmol/L (3.5-5.3) H”</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Copy as table</source>
        <translation>复制为表格</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Tab-separated cells that paste into a spreadsheet or an EMR grid</source>
        <translation>以制表符分隔，可粘贴到电子表格或病历系统表格中</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>Copied ✓</source>
        <translation>已复制 ✓</translation>
    </message>
    <message>
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>The OCR is unsure of this row: check it on the page before copying.</source>
        <translation>识别结果不确定：复制前请对照原件核对此行。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>%n abnormal</source>
        <translation>
            <numerusform>%n 项异常</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../desktop_app/ui/results_panel.py" line="1" />
        <source>%n uncertain — check</source>
        <translation>
            <numerusform>%n 项不确定，请核对</numerusform>
        </translation>
    </message>
</context>
</TS>