"""A REAL OpenAI-compatible model server on this machine, for the slow test and the benchmark:
vLLM's CPU build (its own virtual environment, `.venv-vllm`, made by `make vllm-venv`) serving a tiny
randomly initialised Llama (the native LlamaForCausalLM class, the tokenizer of tests/model_fixtures.py).

    .venv-vllm/bin/python scripts/llm_server.py build /tmp/tiny-llama
    .venv-vllm/bin/python scripts/llm_server.py serve /tmp/tiny-llama --port 8011

`serve` binds 127.0.0.1 only, with automatic prefix caching on and the cached-token count reported
(`usage.prompt_tokens_details.cached_tokens`). From Python (.venv), `start_server()` builds the folder
and starts the server as a child process; `stop()` ends it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
SERVED_NAME = "tiny-llama"
MAX_MODEL_LEN = 2048
START_TIMEOUT = 600.0  # seconds; the first start compiles kernels on a busy 2-core machine


def build(folder: Path, seed: int = 0) -> Path:
    """A tiny random LlamaForCausalLM + tokenizer with a chat template, saved like a snapshot.
    Runs in .venv-vllm (its transformers writes the config its vLLM reads)."""
    sys.path.insert(0, str(ROOT))
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from tests.model_fixtures import llm_tokenizer

    if (folder / "config.json").is_file():
        return folder
    tokenizer = llm_tokenizer()
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=128, intermediate_size=256, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=2,  # head size 64: a size the CPU attention kernels have
        max_position_embeddings=MAX_MODEL_LEN, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id, torch_dtype="float32",
    )
    model = LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def serve_command(folder: Path, port: int) -> list[str]:
    return [
        str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server",
        "--model", str(folder), "--served-model-name", SERVED_NAME,
        "--host", "127.0.0.1", "--port", str(port),
        "--dtype", "float32", "--max-model-len", str(MAX_MODEL_LEN),
        "--enable-prefix-caching", "--enable-prompt-tokens-details",
        "--enforce-eager",  # no graph compilation: start-up in seconds, not minutes
        "--max-num-seqs", "8",
        # JSON without free whitespace: a model (the tiny random one especially) cannot then spend its
        # token budget on blanks inside the answer object.
        "--structured-outputs-config", '{"backend": "xgrammar", "disable_any_whitespace": true}',
    ]


def server_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        VLLM_CPU_KVCACHE_SPACE="1",  # GiB; the tiny model needs very little
        VLLM_CPU_OMP_THREADS_BIND="nobind",  # cores are shared with other work: do not pin them
        HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
        VLLM_NO_USAGE_STATS="1", DO_NOT_TRACK="1",  # vLLM's usage report would leave the machine
        OMP_NUM_THREADS="1",
    )
    return env


@dataclass
class RunningServer:
    process: subprocess.Popen | None  # None: a server started elsewhere
    url: str  # base URL, ending in /v1
    log_path: Path

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(work: Path, port: int, timeout: float = START_TIMEOUT) -> RunningServer:
    """Builds the tiny model (once) and starts vLLM on 127.0.0.1:`port`; waits until it answers."""
    folder = work / "tiny-llama"
    subprocess.run([str(VLLM_PYTHON), str(Path(__file__).resolve()), "build", str(folder)], check=True,
                   env=server_environment())
    log_path = work / "vllm.log"
    log = log_path.open("wb")
    process = subprocess.Popen(serve_command(folder, port), stdout=log, stderr=subprocess.STDOUT,
                               env=server_environment(), cwd=work)
    server = RunningServer(process, f"http://127.0.0.1:{port}/v1", log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vLLM exited with {process.returncode}; see {log_path}")
        try:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(f"{server.url}/models", timeout=5) as answer:
                if SERVED_NAME in json.loads(answer.read())["data"][0]["id"]:
                    return server
        except OSError:
            pass
        time.sleep(2)
    server.stop()
    raise RuntimeError(f"vLLM did not answer within {timeout:.0f} s; see {log_path}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="make the tiny model folder (in .venv-vllm)")
    build_cmd.add_argument("folder", type=Path)
    serve = commands.add_parser("serve", help="run vLLM on 127.0.0.1 in the foreground")
    serve.add_argument("folder", type=Path)
    serve.add_argument("--port", type=int, default=8011)
    args = parser.parse_args()
    if args.command == "build":
        build(args.folder)
        return 0
    os.execve(str(VLLM_PYTHON), serve_command(args.folder, args.port), server_environment())
    return 0


if __name__ == "__main__":
    sys.exit(main())
