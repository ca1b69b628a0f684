"""The embedded backend: a GGUF model run in-process by llama-cpp-python.

instructor's JSON_SCHEMA mode sends OpenAI's ``response_format`` shape
(``{"type": "json_schema", "json_schema": {"schema": ...}}``), which
llama-cpp-python ignores without a word. :meth:`LocalBackend.create` therefore turns
the schema into a GBNF grammar itself (with no optional whitespace, so the model
cannot spend tokens on it) and passes it explicitly: the output always parses.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import json
import logging
import os
import struct
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from communique.config import lookup_tokens, models_dir, thread_count
from communique.errors import BackendError
from communique.extract.backends.base import Backend
from communique.extract.backends.model_assets import ModelFile, resolve_model_file
from communique.extract.jsonscan import RepeatGuard

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

logger = logging.getLogger("communique")

DEFAULT_N_CTX = 8192
_SPACE_RULE = 'space ::= " "?'


@lru_cache(maxsize=16)
def schema_grammar(schema_json: str) -> str:
    """GBNF for a JSON Schema, compact: JSON whitespace is not allowed."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    gbnf: str = json_schema_to_gbnf(schema_json)
    if _SPACE_RULE not in gbnf:  # pragma: no cover - guards a llama-cpp-python change
        raise BackendError("unexpected grammar from llama-cpp-python: no 'space' rule to tighten")
    return gbnf.replace(_SPACE_RULE, 'space ::= ""')


_LOCK = threading.Lock()
_LOADED: dict[tuple[str, int, int, int], Any] = {}


def _load_llama(path: str, n_ctx: int, n_threads: int, lookup: int = 0) -> Any:
    """One llama.cpp context per (model, context size, threads, lookup) per process.

    ``lookup`` > 0 drafts that many tokens by prompt lookup (the record copies names,
    roles and the examples' JSON keys from the prompt), verified by the model itself.
    """
    key = (path, n_ctx, n_threads, lookup)
    with _LOCK:
        if key not in _LOADED:
            try:
                from llama_cpp import Llama
            except ImportError as exc:  # pragma: no cover - it is a dependency
                raise BackendError(f"llama-cpp-python is not importable: {exc}") from exc
            if not _LOADED:
                atexit.register(_close_all)
            draft = None
            if lookup > 0:
                from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

                draft = LlamaPromptLookupDecoding(num_pred_tokens=lookup)
            _LOADED[key] = Llama(
                model_path=path,
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                n_batch=512,
                draft_model=draft,
                # verifying drafted tokens needs the logits of every position; without
                # them llama-cpp-python 0.3.36 fails ("could not broadcast ... into
                # shape (0,)"). They cost n_ctx x n_vocab floats (5 GB at 8,192 x 151,936).
                logits_all=lookup > 0,
                verbose=False,
            )
        return _LOADED[key]


def _close_all() -> None:
    """Free the llama.cpp contexts at exit, while the modules they need still exist.

    Left to the garbage collector at interpreter shutdown, llama-cpp-python 0.3.36
    prints "Exception ignored in: Llama.__del__ ... TypeError" after every command.
    """
    with _LOCK:
        for llama in _LOADED.values():
            llama.close()
        _LOADED.clear()


class LocalBackend(Backend):
    kind = "local"

    def __init__(self, model_file: ModelFile | None = None, n_ctx: int = DEFAULT_N_CTX) -> None:
        self._model_file = model_file
        self.n_ctx = n_ctx
        self.n_threads = thread_count()
        self.lookup = lookup_tokens()
        self._prefixes: dict[str, tuple[int, ...] | None] = {}
        self._conversation: list[dict[str, Any]] | None = None

    @property
    def model_file(self) -> ModelFile:
        if self._model_file is None:
            self._model_file = resolve_model_file()
        return self._model_file

    @property
    def model_id(self) -> str:
        return self.model_file.name

    @property
    def llama(self) -> Any:
        return _load_llama(str(self.model_file.path), self.n_ctx, self.n_threads, self.lookup)

    def context_tokens(self) -> int | None:
        return self.n_ctx

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def _complete(self, grammar: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """Stream the completion, stopping early when the model repeats an event.

        A small model sometimes writes the same event again and again until
        ``max_tokens``; the repeat adds nothing, so generation stops at the end of the
        last distinct event and the JSON is closed there.
        """
        llama = self.llama
        guard = RepeatGuard()
        content = ""
        generated = 0  # chunks streamed: one a token (a cut repeat still cost its tokens)
        finish_reason = "length"
        stream = llama.create_chat_completion(grammar=grammar, stream=True, **kwargs)
        try:
            for chunk in stream:
                choice = chunk["choices"][0]
                piece = choice.get("delta", {}).get("content") or ""
                generated += 1 if "content" in choice.get("delta", {}) else 0
                content += piece
                if choice.get("finish_reason"):
                    finish_reason = choice["finish_reason"]
                cut = guard.feed(piece)
                if cut is not None and cut > 0:
                    content = content[:cut] + "]}"
                    finish_reason = "stop"
                    break
        finally:
            stream.close()
        prompt = prompt_tokens(llama, kwargs.get("messages", []))
        n_prompt = len(prompt) if prompt is not None else 0
        n_completion = generated
        return {
            "id": f"chatcmpl-local-{int(time.time() * 1000)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model_id,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": n_prompt,
                "completion_tokens": n_completion,
                "total_tokens": n_prompt + n_completion,
            },
        }

    def _static_prefix(self, messages: list[dict[str, Any]]) -> tuple[int, ...] | None:
        """The prompt tokens shared by every article: the chat template up to the user text.

        Found by formatting the messages twice with different user text, exactly as
        llama-cpp-python formats them, and keeping the common start.
        """
        if len(messages) < 2 or messages[0].get("role") != "system":
            return None
        system = str(messages[0].get("content"))
        if system not in self._prefixes:
            self._prefixes[system] = _common_prefix(self.llama, system)
        return self._prefixes[system]

    def _continues(self, messages: list[dict[str, Any]]) -> bool:
        """Whether ``messages`` carry on the last conversation (same turns, then more), or
        branch from it: every turn but the new question is one of its turns (a recall
        turn asked after another), so the context of the turns they share is reused."""
        last = self._conversation
        if last is None:
            return False
        if len(messages) > len(last) and messages[: len(last)] == last:
            return True
        shared = len(messages) - 1
        return shared >= 3 and shared < len(last) and messages[:shared] == last[:shared]

    def _rewind(self, prefix: tuple[int, ...]) -> None:
        """Drop everything after ``prefix`` from the context, when the context starts with it."""
        llama = self.llama
        n = len(prefix)
        if llama.n_tokens > n and tuple(int(t) for t in llama.input_ids[:n]) == prefix:
            llama._ctx.kv_cache_seq_rm(-1, n, -1)
            llama.n_tokens = n

    def _load_prefix(self, prefix: tuple[int, ...], path: Path) -> None:
        """Make the context hold exactly ``prefix``: as it is, from disk, or evaluated.

        The prefix is always evaluated on its own (never batched with an article),
        so a state restored from disk is bit-for-bit what a fresh evaluation gives.
        """
        llama = self.llama
        n = len(prefix)
        if llama.n_tokens == n and tuple(int(t) for t in llama.input_ids[:n]) == prefix:
            return
        llama.reset()
        if path.is_file() and restore_state(llama, path):
            if tuple(int(t) for t in llama.input_ids[: llama.n_tokens]) == prefix:
                return
            llama.reset()
        llama.eval(list(prefix))
        save_state(llama, path)

    def _prefix_file(self, messages: list[dict[str, Any]]) -> Path:
        """Where the KV state of the static prefix is kept between runs.

        Evaluating the system prompt costs several seconds on a CPU; a new process
        restores it from disk instead and evaluates only the article.
        """
        from llama_cpp import __version__ as llama_version

        identity = json.dumps(
            [self.model_id, self.n_ctx, llama_version, messages[0].get("content")]
            + ([f"lookup:{self.lookup}"] if self.lookup else []),
            ensure_ascii=False,
        )
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24]
        return models_dir() / "kv" / f"{digest}.state"

    def describe(self) -> dict[str, Any]:
        options: dict[str, Any] = {"n_ctx": self.n_ctx, "grammar": "json-schema"}
        if self.lookup:
            options["lookup"] = self.lookup
        return options

    def create(self, **kwargs: Any) -> ChatCompletion:
        kwargs.pop("model", None)
        kwargs.pop("timeout", None)
        response_format = kwargs.pop("response_format", None)
        grammar = None
        if response_format is not None:
            schema = _schema_of(response_format)
            from llama_cpp.llama_grammar import LlamaGrammar

            grammar = LlamaGrammar.from_string(schema_grammar(json.dumps(schema)), verbose=False)
        if "max_tokens" not in kwargs:
            raise BackendError("max_tokens must be set for the embedded model")
        messages = kwargs.get("messages", [])
        prefix = self._static_prefix(messages)
        continues = self._continues(messages)
        if prefix is not None and not continues:
            # A new conversation starts from exactly the static prefix, so every
            # article is evaluated from the same state: a record never depends on
            # the one before it.
            self._rewind(prefix)
            self._load_prefix(prefix, self._prefix_file(messages))
        self._conversation = None
        started = time.perf_counter()
        raw = self._complete(grammar, kwargs)
        if prefix is not None:
            # A follow-up turn of this conversation (a second pass over the same
            # article) reuses the context evaluated so far: only its new turn is read
            # (llama.cpp keeps the longest prefix of tokens the context shares with it).
            reply = raw["choices"][0]["message"]
            self._conversation = [*messages, {"role": "assistant", "content": reply["content"]}]
        from openai.types.chat import ChatCompletion

        raw.setdefault("system_fingerprint", None)
        completion = ChatCompletion.model_validate(raw)
        completion.model = self.model_id
        # Not an OpenAI field: lets the pipeline log wall time per call.
        setattr(completion, "_communique_seconds", time.perf_counter() - started)  # noqa: B010
        return completion


_FORMATTERS: dict[int, Any] = {}


def _formatter(llama: Any) -> Any:
    """The chat formatter llama-cpp-python builds from the GGUF's template, built once."""
    if id(llama) not in _FORMATTERS:
        template = llama.metadata.get("tokenizer.chat_template")
        formatter = None
        if template:
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter

            eos_id, bos_id = llama.token_eos(), llama.token_bos()
            formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=llama._model.token_get_text(eos_id) if eos_id != -1 else "",
                bos_token=llama._model.token_get_text(bos_id) if bos_id != -1 else "",
                stop_token_ids=[eos_id],
            )
        _FORMATTERS[id(llama)] = formatter
    return _FORMATTERS[id(llama)]


def prompt_tokens(llama: Any, messages: list[dict[str, Any]]) -> list[int] | None:
    """The tokens llama-cpp-python feeds the model for ``messages`` (its GGUF template)."""
    formatter = _formatter(llama)
    if formatter is None:
        return None
    result = formatter(messages=messages)
    tokens: list[int] = llama.tokenize(
        result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True
    )
    return tokens


def _common_prefix(llama: Any, system: str) -> tuple[int, ...] | None:
    runs = []
    for user in ("A", "B"):
        tokens = prompt_tokens(
            llama, [{"role": "system", "content": system}, {"role": "user", "content": user}]
        )
        if tokens is None:
            return None
        runs.append(tokens)
    shared = 0
    for a, b in zip(*runs, strict=False):
        if a != b:
            break
        shared += 1
    return tuple(int(t) for t in runs[0][:shared]) or None


_STATE_MAGIC = b"communique-kv-1\n"


def save_state(llama: Any, path: Path) -> None:
    """Write the context's token ids and KV state; atomic, best effort."""
    import llama_cpp
    import numpy as np

    try:
        ctx = llama._ctx.ctx
        size = int(llama_cpp.llama_state_get_size(ctx))
        buffer = (ctypes.c_uint8 * size)()
        written = int(llama_cpp.llama_state_get_data(ctx, buffer, size))
        ids = np.asarray(llama.input_ids[: llama.n_tokens], dtype=np.int32)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            handle.write(_STATE_MAGIC)
            handle.write(struct.pack("<qq", len(ids), written))
            handle.write(ids.tobytes())
            handle.write(bytes(buffer)[:written])
        os.replace(tmp, path)
    except (OSError, AttributeError, ValueError) as exc:  # a cache, never fatal
        logger.warning("could not save the prompt-prefix state: %s", exc)


def restore_state(llama: Any, path: Path) -> bool:
    """Load a state written by :func:`save_state`; on any mismatch start clean."""
    import llama_cpp
    import numpy as np

    try:
        data = path.read_bytes()
        if not data.startswith(_STATE_MAGIC):
            raise ValueError("not a communique state file")
        offset = len(_STATE_MAGIC)
        n_ids, size = struct.unpack_from("<qq", data, offset)
        offset += 16
        ids = np.frombuffer(data, dtype=np.int32, count=n_ids, offset=offset)
        offset += 4 * n_ids
        state = data[offset : offset + size]
        if len(state) != size or n_ids > llama.n_ctx():
            raise ValueError("truncated state file")
        buffer = (ctypes.c_uint8 * size).from_buffer_copy(state)
        if int(llama_cpp.llama_state_set_data(llama._ctx.ctx, buffer, size)) != size:
            raise ValueError("llama.cpp refused the state")
        llama.input_ids[:n_ids] = ids
        llama.n_tokens = n_ids
        llama._requires_eval = True
        return True
    except (OSError, ValueError, struct.error) as exc:
        logger.warning("ignoring the saved prompt-prefix state %s: %s", path, exc)
        llama.reset()
        path.unlink(missing_ok=True)
        return False


def _schema_of(response_format: dict[str, Any]) -> dict[str, Any]:
    kind = response_format.get("type")
    if kind == "json_schema":
        schema = response_format.get("json_schema", {}).get("schema")
    elif kind == "json_object":
        schema = response_format.get("schema")
    else:
        schema = None
    if not isinstance(schema, dict):
        raise BackendError(f"the embedded backend needs a JSON schema, got {response_format!r}")
    return schema
