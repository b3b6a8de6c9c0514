"""Constrained decoding: the model can only write the JSON object the prompt asks for.

lm-format-enforcer's JSON-schema parser decides, token by token, which tokens keep the output a valid
prefix of an object matching the schema; transformers' `prefix_allowed_tokens_fn` masks every other
token. Even a 135M model then returns the three fields as JSON instead of falling back.

Why the library's own `integrations.transformers` module is not used: it imports
`transformers.tokenization_utils.PreTrainedTokenizerBase`, a module transformers 5 removed, so it fails
to import (lm-format-enforcer 0.11.3 with transformers 5.x). Its core (TokenEnforcer, JsonSchemaParser,
TokenEnforcerTokenizerData) does not touch transformers; the few lines below build the tokenizer data
the same way that module does.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable

_CONTROL = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f]")  # control characters other than \n and \r
MAX_CONSECUTIVE_WHITESPACES = 2  # a small model otherwise pads the object with newlines to the cap


def is_available() -> bool:
    return importlib.util.find_spec("lmformatenforcer") is not None


class JsonConstraint:
    """Per model load: the tokenizer's vocabulary as the enforcer needs it (built once, a few seconds
    for a 50k vocabulary). Per generate call: `allowed_tokens_fn(schema)`, a fresh enforcer."""

    def __init__(self, tokenizer, eos_token_id: int | list[int]) -> None:
        from lmformatenforcer import TokenEnforcerTokenizerData

        vocab_size = len(tokenizer)
        special = set(tokenizer.all_special_ids)
        ids = [i for i in range(vocab_size) if i not in special]
        # A token's text after a "0" token minus the "0" shows whether it starts a word (a leading space
        # that decoding it alone would drop): what lm-format-enforcer's transformers integration does.
        zero = tokenizer.encode("0", add_special_tokens=False)[-1]
        after_zero = tokenizer.batch_decode([[zero, i] for i in ids])
        alone = tokenizer.batch_decode([[i] for i in ids])
        regular = [
            (i, a[1:], len(a[1:]) > len(b))
            for i, a, b in zip(ids, after_zero, alone, strict=True)
            if not _CONTROL.search(a[1:])  # never valid in JSON (the library would allow them in strings)
        ]

        def decode(tokens: list[int]) -> str:
            return tokenizer.decode(tokens).rstrip("\ufffd")  # an incomplete UTF-8 sequence so far

        self.data = TokenEnforcerTokenizerData(regular, decode, eos_token_id, False, vocab_size)

    def allowed_tokens_fn(self, schema: dict) -> Callable:
        """For `generate(prefix_allowed_tokens_fn=...)`: the first call's tokens are taken as the prompt."""
        from lmformatenforcer import CharacterLevelParserConfig, JsonSchemaParser, TokenEnforcer

        # JSON forbids raw control characters inside a string; the tokenizer's own alphabet has them.
        alphabet = "".join(c for c in self.data.tokenizer_alphabet if c >= " ")
        config = CharacterLevelParserConfig(
            alphabet=alphabet, max_consecutive_whitespaces=MAX_CONSECUTIVE_WHITESPACES, force_json_field_order=True
        )
        parser = JsonSchemaParser(schema, config)
        enforcer = TokenEnforcer(self.data, parser)
        parser.config = config  # TokenEnforcer replaces the parser's config with a default one; restore ours

        def allowed(batch_id: int, sent) -> list[int]:
            return enforcer.get_allowed_tokens(sent.tolist()).allowed_tokens

        return allowed
