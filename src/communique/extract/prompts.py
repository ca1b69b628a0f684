"""Versioned prompts: ``prompts/<name>/<version>.md``, referenced as ``name@version``.

A prompt file opens with TOML front matter between ``+++`` lines (version,
description, released, generation parameters), then a ``=== system ===`` section
and a ``=== user ===`` section. The user section is a Jinja2 template; the system
section is static so the model's KV cache of it is reused from article to article.

A released version is immutable: ``prompts/prompts.lock`` records its sha256 and a
test fails when a released file changes. Without a version, the newest released one
is used.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from communique.errors import PromptError

DEFAULT_PROMPT_NAME = "meeting_summary"
LOCK_FILE = "prompts.lock"
_FRONT_MATTER = re.compile(r"\A\+\+\+\n(.*?)\n\+\+\+\n", re.DOTALL)
_SECTION = re.compile(
    r"^=== (system|user|followup|recall|verify_system|verify) ===\n", re.MULTILINE
)
_VERSION = re.compile(r"^v(\d+)$")


def prompts_dir() -> Path:
    """``COMMUNIQUE_PROMPTS_DIR``, else the checkout's ``prompts/``, else the installed copy."""
    env = os.environ.get("COMMUNIQUE_PROMPTS_DIR")
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3] / "prompts"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parents[1] / "_data" / "prompts"


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    description: str
    released: bool
    system: str
    user_template: str
    sha256: str
    params: dict[str, Any] = field(default_factory=dict)
    #: the second turn asking for events the first answer missed (None: one pass)
    followup: str | None = None
    #: draft fields this prompt does not ask the model for (the record composes them)
    omit: tuple[str, ...] = ()
    #: ask for each person's usual English spelling when the article's names need it
    english_names: bool = False
    #: ask, in one more turn, for the English form of roles left in another language
    english_roles: bool = False
    #: a turn asking about one sentence that may report an event the answer left out
    #: (a Jinja2 template of ``sentence`` and the ``names`` it holds that no event of
    #: the answer has; None: no such turn)
    recall: str | None = None
    #: at most this many recall turns a part of the text
    recall_turns: int = 0
    #: the verification turn asking again about doubtful values (a Jinja2 template of
    #: the article's ``text`` and the ``questions``, each with its ``options`` from the
    #: text; None: no such turn), and its system message
    verify: str | None = None
    verify_system: str = ""
    #: the fields the verification asks about (of city, date, affiliation)
    verify_fields: tuple[str, ...] = ("city", "date", "affiliation")
    #: the prompt whose reading (every turn before the verification) this one shares,
    #: word for word: its cached answers serve this prompt too
    base: str | None = None

    def verify_messages(self, text: str, questions: Sequence[Any]) -> list[dict[str, str]]:
        """The verification conversation: the article and the questions, on their own."""
        assert self.verify is not None
        user = str(_template(self.verify).render(text=text, questions=questions)).strip()
        return [
            {"role": "system", "content": self.verify_system},
            {"role": "user", "content": user},
        ]

    def render_recall(self, sentence: str, names: list[str]) -> str:
        assert self.recall is not None
        return str(_template(self.recall).render(sentence=sentence, names=names)).strip()

    @property
    def id(self) -> str:
        return f"{self.name}@{self.version}"

    def render_user(self, **values: Any) -> str:
        return str(_template(self.user_template).render(**values)).strip()

    def messages(self, **values: Any) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.render_user(**values)},
        ]


@lru_cache(maxsize=32)
def _template(source: str) -> Any:
    """The compiled user template: compiling costs milliseconds, rendering microseconds."""
    import jinja2  # only when a prompt is rendered: not on the all-cached path

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=False)
    return env.from_string(source)


def parse_prompt(path: Path, name: str) -> Prompt:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise PromptError(f"{path}: missing '+++' TOML front matter")
    try:
        meta = tomllib.loads(match.group(1))
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{path}: bad front matter: {exc}") from exc
    body = text[match.end() :]
    parts = _SECTION.split(body)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if not {"system", "user"} <= set(sections):
        raise PromptError(f"{path}: needs one '=== system ===' and one '=== user ===' section")
    omit = tuple(str(name) for name in meta.get("omit", []))
    if set(omit) - {"summary"}:
        raise PromptError(f"{path}: 'omit' may only list 'summary', not {omit!r}")
    version = str(meta.get("version", path.stem))
    if version != path.stem:
        raise PromptError(f"{path}: front matter version {version!r} does not match the file name")
    return Prompt(
        name=name,
        version=version,
        description=str(meta.get("description", "")),
        released=bool(meta.get("released", False)),
        system=sections["system"].strip(),
        user_template=sections["user"].strip(),
        sha256=hashlib.sha256(raw).hexdigest(),
        params=dict(meta.get("params", {})),
        followup=sections["followup"].strip() if "followup" in sections else None,
        omit=omit,
        english_names=bool(meta.get("english_names", False)),
        english_roles=bool(meta.get("english_roles", False)),
        recall=sections["recall"].strip() if "recall" in sections else None,
        recall_turns=int(meta.get("recall_turns", 4 if "recall" in sections else 0)),
        verify=sections["verify"].strip() if "verify" in sections else None,
        verify_system=sections.get("verify_system", "").strip(),
        verify_fields=tuple(meta.get("verify_fields", ("city", "date", "affiliation"))),
        base=str(meta["base"]) if "base" in meta else None,
    )


def _version_number(version: str) -> int:
    match = _VERSION.match(version)
    return int(match.group(1)) if match else -1


def available_prompts(root: Path | None = None) -> list[Prompt]:
    root = root or prompts_dir()
    prompts = []
    for path in sorted(root.glob("*/v*.md")):
        prompts.append(parse_prompt(path, path.parent.name))
    return sorted(prompts, key=lambda p: (p.name, _version_number(p.version)))


@cache
def _load(root: Path, prompt_id: str) -> Prompt:
    name, _, version = prompt_id.partition("@")
    folder = root / name
    if not folder.is_dir():
        known = sorted({p.name for p in available_prompts(root)})
        raise PromptError(f"unknown prompt {name!r}; known prompts: {', '.join(known) or 'none'}")
    if not version:
        released = [p for p in available_prompts(root) if p.name == name and p.released]
        if not released:
            raise PromptError(f"prompt {name!r} has no released version")
        return released[-1]
    path = folder / f"{version}.md"
    if not path.is_file():
        versions = [p.version for p in available_prompts(root) if p.name == name]
        raise PromptError(
            f"prompt {name!r} has no version {version!r}; versions: {', '.join(versions)}"
        )
    return parse_prompt(path, name)


def load_prompt(prompt_id: str | None = None, root: Path | None = None) -> Prompt:
    """Load ``name@version``; ``name`` alone means the newest released version. None
    means ``COMMUNIQUE_PROMPT`` (a pinned version, e.g. for a cron line) or, without
    it, the newest released version."""
    chosen = prompt_id or os.environ.get("COMMUNIQUE_PROMPT") or DEFAULT_PROMPT_NAME
    return _load((root or prompts_dir()).resolve(), chosen)


def read_lock(root: Path | None = None) -> dict[str, str]:
    path = (root or prompts_dir()) / LOCK_FILE
    if not path.is_file():
        return {}
    data: dict[str, str] = json.loads(path.read_text())
    return data


def update_lock(root: Path | None = None) -> dict[str, str]:
    """Add every released prompt to the lock; refuse to change a locked hash."""
    root = root or prompts_dir()
    lock = read_lock(root)
    for prompt in available_prompts(root):
        if not prompt.released:
            continue
        locked = lock.get(prompt.id)
        if locked is not None and locked != prompt.sha256:
            raise PromptError(
                f"{prompt.id} is released and locked, but its file changed; "
                "released prompts are immutable: copy it to a new version instead"
            )
        lock[prompt.id] = prompt.sha256
    (root / LOCK_FILE).write_text(json.dumps(dict(sorted(lock.items())), indent=2) + "\n")
    return lock


def reading_base(prompt: Prompt) -> Prompt | None:
    """The prompt ``prompt`` shares its reading with (``base`` in its front matter), after
    checking that every turn before the verification is the same word for word."""
    if prompt.base is None:
        return None
    base = load_prompt(prompt.base)
    if _reading(base) != _reading(prompt):
        raise PromptError(
            f"{prompt.id} names {base.id} as its base, but asks the model differently: "
            "its system, user, follow-up and recall turns, params and options must be the same"
        )
    return base


def _reading(prompt: Prompt) -> tuple[Any, ...]:
    return (
        prompt.system,
        prompt.user_template,
        prompt.followup,
        prompt.recall,
        prompt.recall_turns,
        prompt.omit,
        prompt.english_names,
        prompt.english_roles,
        prompt.params,
    )
