"""Documents per minute of `emr-assist batch --concurrency N` against model servers on 127.0.0.1.

1. A deliberately slow stand-in server (a fixed delay per request, answered by threads): the client
   side alone. Throughput must scale ≥ 0.8 × N up to N = 4.
2. The REAL local server (vLLM CPU serving the tiny random Llama, see scripts/llm_server.py): the
   documents/minute and the prompt tokens the server served from its prefix cache.

Both run the same text-layer PDFs (one summary request each) in the same run.

    .venv/bin/python benchmarks/server_throughput.py                  # stand-in + real server (started here)
    .venv/bin/python benchmarks/server_throughput.py --no-real        # stand-in only
    .venv/bin/python benchmarks/server_throughput.py --real-url http://127.0.0.1:8011/v1   # a running server
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import socket
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from desktop_app.batch import run_batch  # noqa: E402
from desktop_app.settings import EngineSettings  # noqa: E402
from tests.documents import text_pdf  # noqa: E402
from tests.standin_llm_server import Reply, StandInLlmServer  # noqa: E402

LEVELS = (1, 2, 4, 8)
ANSWER = json.dumps({"chief_complaint": "cough for 3 days", "diagnosis": "pneumonia", "plan": "chest x-ray"})
_USAGE = re.compile(r"summary server: (\d+) requests, (\d+) prompt tokens(?:, (\d+) served)?")


def make_inbox(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text_pdf(folder, f"Chief complaint: cough for {i + 1} days.\nAssessment: pneumonia.\n"
                         f"Plan: chest x-ray, review in {i + 2} days.\n", name=f"note{i:03d}.pdf")
    return folder


def run(inbox: Path, work: Path, url: str, model: str, concurrency: int) -> dict:
    """One batch into a fresh output folder; documents/minute and the server's token counts."""
    settings = EngineSettings(ocr="openai", endpoint=url, served_model="unused", summarizer="openai",
                              summary_endpoint=url, summary_served_model=model, concurrency=concurrency)
    out = Path(tempfile.mkdtemp(dir=work, prefix=f"out{concurrency}-"))
    report = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(report), contextlib.redirect_stderr(io.StringIO()):
        code = run_batch(inbox, out, settings)
    seconds = time.perf_counter() - started
    documents = len(list(inbox.glob("*.pdf")))
    usage = _USAGE.search(report.getvalue())
    return {
        "concurrency": concurrency, "exit_code": code, "seconds": round(seconds, 2),
        "docs_per_min": round(60 * documents / seconds, 1),
        "requests": int(usage.group(1)) if usage else 0,
        "prompt_tokens": int(usage.group(2)) if usage else 0,
        "cached_prompt_tokens": int(usage.group(3)) if usage and usage.group(3) else None,
    }


def print_table(title: str, rows: list[dict], check: bool) -> None:
    """`check`: mark the ≥ 0.8 × N target (the stand-in's; a real CPU server is bound by its cores)."""
    base = rows[0]["docs_per_min"]
    print(f"\n{title}")
    print("  N   docs/min  speed-up  ≥0.8×N  requests  prompt tok  cached tok  exit")
    for row in rows:
        n, speedup = row["concurrency"], row["docs_per_min"] / base
        ok = ("yes" if speedup >= 0.8 * n else "NO") if check and n <= 4 else "-"
        cached = "-" if row["cached_prompt_tokens"] is None else row["cached_prompt_tokens"]
        print(f"  {n:<3} {row['docs_per_min']:>8.1f}  {speedup:>7.2f}×  {ok:>6}  {row['requests']:>8}  "
              f"{row['prompt_tokens']:>10}  {cached:>10}  {row['exit_code']:>4}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=16, help="text PDFs per run (default 16)")
    parser.add_argument("--delay", type=float, default=1.0, help="the stand-in's seconds per request (default 1)")
    parser.add_argument("--no-real", action="store_true", help="skip the real vLLM server")
    parser.add_argument("--real-url", help="a running real server (else one is started and stopped here)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()

    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="emr-throughput-") as tmp:
        work = Path(tmp)
        inbox = make_inbox(work / "in", args.documents)

        standin = StandInLlmServer(lambda body: Reply(ANSWER), delay=args.delay)
        try:
            results["standin"] = [run(inbox, work, standin.url, "standin", n) for n in LEVELS]
        finally:
            standin.close()
        print_table(f"Stand-in server, {args.delay:.1f} s per request, {args.documents} documents", results["standin"],
                    check=True)

        if not args.no_real:
            from scripts import llm_server

            server = None
            url = args.real_url
            if url is None:
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", 0))
                    port = probe.getsockname()[1]
                server = llm_server.start_server(work, port)
                url = server.url
            try:
                results["vllm"] = [run(inbox, work, url, llm_server.SERVED_NAME, n) for n in LEVELS]
            finally:
                if server is not None:
                    server.stop()
            print_table(f"vLLM {url} (tiny random Llama, CPU), {args.documents} documents",
                        results["vllm"], check=False)

    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    scaled = all(row["docs_per_min"] / results["standin"][0]["docs_per_min"] >= 0.8 * row["concurrency"]
                 for row in results["standin"] if row["concurrency"] <= 4)
    print(f"\nstand-in scaling ≥ 0.8 × N up to N = 4: {'yes' if scaled else 'NO'}")
    return 0 if scaled else 1


if __name__ == "__main__":
    sys.exit(main())
