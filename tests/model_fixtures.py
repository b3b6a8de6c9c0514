"""Tiny randomly initialised models of the real native classes, saved like a Hugging Face snapshot.

Nothing is downloaded: the tokenizer is trained on the fly with `tokenizers` (byte-level BPE, so any
text, Chinese included, encodes), the model is built from a tiny config and `save_pretrained` writes
the same files a real checkpoint folder has. The engines then load them with their real loaders.
"""

from __future__ import annotations

from pathlib import Path

from tests.loopback_server import LoopbackServer

CORPUS = [
    "Chief complaint: cough for 3 days. Diagnosis: community acquired pneumonia. Plan: chest x-ray.",
    "HISTORY OF PRESENT ILLNESS: The patient is a 45-year-old man with fever and productive cough.",
    "Assessment and plan: 1. Asthma exacerbation. Continue albuterol. Follow up in 2 weeks.",
    "主诉：咳嗽3天。诊断：社区获得性肺炎。处理：胸片，阿莫西林。",
    '{"chief_complaint": "cough", "diagnosis": "pneumonia", "plan": "not_documented"}',
    "<table><tr><td>WBC</td><td>12.1</td><td>10^9/L</td><td>4.0-10.0</td></tr></table>",
]
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] }}\n"
    "{% elif m['role'] == 'user' %}<|User|>{{ m['content'] }}"
    "{% else %}<|Assistant|>{{ m['content'] }}{{ eos_token }}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}<|Assistant|>"
    "{% if enable_thinking is defined and not enable_thinking %}<think>\n\n</think>\n\n{% endif %}{% endif %}"
)
LLM_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|User|>", "<|Assistant|>", "<think>", "</think>"]


def train_tokenizer(specials: list[str], vocab_size: int = 400, extra_corpus: tuple[str, ...] = ()):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(CORPUS * 4 + list(extra_corpus), trainer)
    return tok


def llm_tokenizer():
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=train_tokenizer(LLM_SPECIALS),
        bos_token="<|begin_of_text|>",
        eos_token="<|end_of_text|>",
        pad_token="<|end_of_text|>",
    )
    fast.chat_template = CHAT_TEMPLATE
    return fast


def tiny_youtu_config(tokenizer, **overrides):
    from transformers import YoutuConfig

    params = dict(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        kv_lora_rank=16,
        q_lora_rank=None,
        qk_rope_head_dim=8,
        v_head_dim=8,
        qk_nope_head_dim=8,
        max_position_embeddings=4096,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    params.update(overrides)
    return YoutuConfig(**params)


def build_tiny_youtu(folder: Path, seed: int = 0) -> Path:
    """A tiny random YoutuForCausalLM + tokenizer with a chat template, saved to `folder`."""
    import torch
    from transformers import YoutuForCausalLM

    tokenizer = llm_tokenizer()
    torch.manual_seed(seed)
    model = YoutuForCausalLM(tiny_youtu_config(tokenizer))
    # Like the real checkpoint: its generation_config has the cache off; the engine turns it on.
    model.generation_config.use_cache = False
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


OCR_SPECIALS = [
    "<｜begin▁of▁sentence｜>",
    "<｜end▁of▁sentence｜>",
    "<image>",
    "<|ref|>",
    "<|/ref|>",
    "<|det|>",
    "<|/det|>",
    "<|grounding|>",
    "<td>",
    "</td>",
    "<tr>",
    "</tr>",
]


def ocr_tokenizer():
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(
        tokenizer_object=train_tokenizer(OCR_SPECIALS),
        bos_token=OCR_SPECIALS[0],
        eos_token=OCR_SPECIALS[1],
        pad_token=OCR_SPECIALS[1],
    )


def build_tiny_deepseek_ocr2(
    folder: Path, seed: int = 0, repeat_word: str | None = None, stop_at_once: bool = False,
    script: str | None = None,
) -> Path:
    """A tiny random DeepseekOcr2ForConditionalGeneration + its processor, saved to `folder`.

    Real sizes where the architecture fixes them (1024/768 px views, 256/144 learned queries), tiny
    widths elsewhere. `repeat_word`: make the language model prefer that word's first token at every
    step (every input embedding is a large copy of one vector that the word's output row matches), so
    generation loops the way DeepSeek-OCR is reported to. `stop_at_once`: the same trick with the end
    token, so a page reads as empty at once (for end-to-end runs that must stay fast). `script`: greedy
    generation writes exactly this text, then ends (each token's embedding is a large random direction
    that the output row of the token after it matches; the script's tokens must all differ).
    """
    import torch
    from transformers import DeepseekOcr2Config, DeepseekOcr2ForConditionalGeneration, DeepseekOcr2Processor
    from transformers.models.deepseek_ocr2.image_processing_pil_deepseek_ocr2 import (
        DeepseekOcr2ImageProcessorPil,
    )

    tokenizer = ocr_tokenizer()
    config = DeepseekOcr2Config(
        vision_config={
            "sam_config": dict(
                hidden_size=16,
                output_channels=16,
                num_hidden_layers=2,
                num_attention_heads=1,
                global_attn_indexes=[1],
                downsample_channels=[16, 32],
                mlp_dim=32,
            ),
            "encoder_config": dict(
                hidden_size=32,
                intermediate_size=64,
                num_hidden_layers=1,
                num_attention_heads=2,
                num_key_value_heads=1,
                vocab_size=8,
            ),
        },
        text_config=dict(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=2,
            n_routed_experts=4,
            n_shared_experts=1,
            num_experts_per_tok=2,
            moe_intermediate_size=16,
            mlp_layer_types=["dense", "sparse"],
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            max_position_embeddings=8192,
        ),
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"),
    )
    torch.manual_seed(seed)
    model = DeepseekOcr2ForConditionalGeneration(config)
    if repeat_word is not None or stop_at_once:
        target = (
            tokenizer.eos_token_id
            if stop_at_once
            else tokenizer(repeat_word, add_special_tokens=False)["input_ids"][0]
        )
        with torch.no_grad():
            direction = torch.randn(config.text_config.hidden_size)
            embed = model.get_input_embeddings().weight
            embed.copy_(direction * 100 + 0.01 * torch.randn_like(embed))
            model.lm_head.weight[target] = direction * 10
    if script is not None:
        ids = tokenizer(script, add_special_tokens=False)["input_ids"]
        prompt_end = tokenizer(".", add_special_tokens=False)["input_ids"][-1]  # every prompt ends with "."
        chain = [prompt_end, *ids]
        if len(set(chain)) != len(chain):
            raise ValueError("the script's tokens (and the prompt's final '.') must all differ")
        with torch.no_grad():
            embed, head = model.get_input_embeddings().weight, model.lm_head.weight
            head.mul_(0.01)
            for token, following in zip(chain, [*ids, tokenizer.eos_token_id], strict=True):
                direction = torch.nn.functional.normalize(torch.randn(config.text_config.hidden_size), dim=0)
                embed[token] = direction * 100
                head[following] = direction * 10
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    DeepseekOcr2Processor(
        image_processor=DeepseekOcr2ImageProcessorPil(), tokenizer=tokenizer
    ).save_pretrained(folder)
    return folder


# --- a stand-in OpenAI-compatible OCR server (loopback only) ------------------------------------

GROUNDED_PAGE = [
    "<|ref|>title<|/ref|><|det|>[[0, 0, 999, 99]]<|/det|>\n",
    "# Progress ",
    "note\n\n",
    "<|ref|>text<|/ref|><|det|>[[0, 500, 499, 999]]<|/det|>\n",
    "Diagnosis: community acquired pneumonia.\n\nPlan: chest x-ray.",
]


DOUBTFUL_WORD = "pneumonia"


class StandInOcrServer(LoopbackServer):
    """Streams chat completions like vLLM, or fails the way a real server does, per `mode`:

    ok            the grounded page, finish_reason "stop", then [DONE]
    length        the page, but finish_reason "length" (the token cap was reached)
    loop          "the patient " over and over, finish_reason "length" (a looping page)
    error_event   two pieces, then vLLM's mid-stream error event (no choices), then the stream ends
    drop          two pieces, then the connection is closed (no finish_reason, no [DONE])
    redirect      307 to `redirect_to` (another server, which records whether the key was sent along)

    Every request body and header set is kept in `requests`. Runs on 127.0.0.1 in a daemon thread.
    """

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.requests: list[dict] = []
        self.redirect_to: str | None = None
        super().__init__()

    def handle(self, request, body: dict) -> None:
        from tests.loopback_server import start_event_stream

        self.requests.append({"path": request.path, "headers": dict(request.headers), "body": body})
        if self.mode == "redirect":
            request.send_response(307)
            request.send_header("Location", f"{self.redirect_to}/chat/completions")
            request.send_header("Content-Length", "0")
            request.end_headers()
            return
        start_event_stream(request)
        try:
            self._stream(request.wfile, body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _stream(self, out, body: dict) -> None:
        import json
        import math
        import re

        def event(piece: str | None, finish: str | None = None) -> None:
            choice = {"index": 0, "delta": {"content": piece} if piece else {}, "finish_reason": finish}
            if piece:  # vLLM's per-token logprobs: sure of everything but the word DOUBTFUL_WORD
                tokens = [t for t in re.split(f"({DOUBTFUL_WORD})", piece) if t]
                choice["logprobs"] = {"content": [
                    {"token": t, "logprob": math.log(0.2 if t == DOUBTFUL_WORD else 0.99)} for t in tokens
                ]}
            data = {"choices": [choice]}
            out.write(f"data: {json.dumps(data)}\n\n".encode())
            out.flush()

        if self.mode in ("ok", "length"):
            for piece in GROUNDED_PAGE:
                event(piece)
            event(None, "stop" if self.mode == "ok" else "length")
        elif self.mode == "loop":
            for _ in range(80):
                event("the patient ")
            event(None, "length")
        elif self.mode in ("error_event", "drop"):
            for piece in GROUNDED_PAGE[:2]:
                event(piece)
            if self.mode == "error_event":
                error = {"error": {"object": "error", "message": "EngineCore encountered an issue.",
                                   "type": "InternalServerError", "code": 500}}
                out.write(f"data: {json.dumps(error)}\n\n".encode())
                out.write(b"data: [DONE]\n\n")
            return  # "drop": the handler returns and the connection closes mid-page
        out.write(b"data: [DONE]\n\n")
        out.flush()

