"""Answers from servers that do not enforce the schema, made to fit it where the code can.

An OpenAI-compatible server without structured output (Ollama, older vLLM) may add
a key the prompt no longer asks for (a summary, which v7 composes from the fields)
or leave out one the code can fill (a name's English form). Failing the article
after three tries for that loses a right answer: the extra key is dropped, and a
missing English form falls back to the name as written (assembly transliterates
it). Anything else the schema requires is still the model's to give.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from pydantic import BaseModel


def conform(model: type[BaseModel], data: Any) -> Any:
    """``data`` with the keys ``model`` does without dropped and fillable ones filled."""
    if not isinstance(data, dict):
        return data
    fields = model.model_fields
    out = {}
    for key, value in data.items():
        info = fields.get(key)
        if info is None or (info.annotation is type(None) and not info.is_required()):
            continue  # a key the schema does not have, or has only to leave out (a v7
            # summary); a required null (a date where the article gives none) stays
        out[key] = _conform_value(info.annotation, value)
    en = fields.get("en")
    if en is not None and en.is_required() and out.get("en") is None and "name" in out:
        out["en"] = out["name"]
    return out


def _conform_value(annotation: Any, value: Any) -> Any:
    if isinstance(value, list):
        args = typing.get_args(annotation)
        item = args[0] if args else None
        if isinstance(item, type) and issubclass(item, BaseModel):
            return [conform(item, v) for v in value]
        return value
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return conform(annotation, value)
    return value


def conform_json(model: type[BaseModel], content: str | None) -> str | None:
    """The answer's JSON text made to fit ``model``; text that is no JSON object is
    returned as it is (validation then reports it to the model)."""
    if not content:
        return content
    try:
        data = json.loads(content)
    except json.JSONDecodeError:
        return content
    fitted = conform(model, data)
    return content if fitted == data else json.dumps(fitted, ensure_ascii=False)
