"""A version of the assembly code, computed from its source, for the assembled-record cache.

A cached model output is turned into a record by assembly (grounding, dates,
completion from the text). Storing the assembled record makes a cache hit cost
nothing, and keying it by this version lets an assembly change still reach every
cached output without a model call: change a line of assembly and the version
changes, so the next read re-assembles from the cached output.

The version hashes the source of every communique module assembly imports
(followed from :data:`ROOTS` through their ``communique`` imports, plus every
``text/`` module and the lexicon files), and the installed files of the third-party
packages they import.
It is computed once per process, from files alone: nothing is imported.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import sys
from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: modules whose output the assembled cache holds: assembly, and the language detected
ROOTS = ("communique.extract.assemble", "communique.text.language")
_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+\(?([\w, \t]*)|import[ \t]+([\w.]+))", re.M
)


def _module_file(module: str) -> Path | None:
    parts = module.split(".")[1:]
    if not parts:
        return None
    base = PACKAGE_DIR.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def assembly_sources() -> tuple[list[Path], set[str]]:
    """The communique source files assembly depends on, and the third-party packages."""
    files: dict[Path, None] = {}
    packages: set[str] = set()
    pending = list(ROOTS)
    seen: set[str] = set()
    while pending:
        module = pending.pop()
        if module in seen:
            continue
        seen.add(module)
        path = _module_file(module)
        if path is None:
            continue
        files[path] = None
        for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
            name = match.group(1) or match.group(3)
            top = name.split(".")[0]
            if top == "communique":
                pending.append(name)
                # "from communique.extract.passes import completion": a submodule, maybe
                names = (match.group(2) or "").replace("(", " ").split(",")
                pending.extend(f"{name}.{n.strip()}" for n in names if n.strip())
            elif top not in sys.stdlib_module_names and top != "__future__":
                packages.add(top)
    for path in sorted((PACKAGE_DIR / "text").glob("*.py")):
        files[path] = None
    for path in lexicon_files():
        files[path] = None
    return sorted(files), packages


def lexicon_files() -> list[Path]:
    """The language knowledge the rules read: a changed entry changes what they do."""
    folder = PACKAGE_DIR / "lexicon"
    return sorted([*folder.glob("*.toml"), folder / "__init__.py"])


@cache
def assembly_version() -> str:
    """sha256 (24 hex digits) of the assembly source and its third-party packages' files."""
    digest = hashlib.sha256()
    files, packages = assembly_sources()
    for path in files:
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    for package in sorted(packages):
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        origin = spec.origin if spec is not None else None
        if origin and os.path.exists(origin):
            stat = os.stat(origin)
            digest.update(f"{package}:{origin}:{stat.st_size}:{stat.st_mtime_ns}".encode())
        else:
            digest.update(f"{package}:missing".encode())
    return digest.hexdigest()[:24]


#: modules that shape what the model is asked and how its turns are combined: the
#: candidate names, dates and documents offered to it (and the place names that are
#: no candidate), the draft it fills in, the conversation, its follow-up turns and
#: the sentences its recall turns ask about; a change there must not be served a
#: cached answer to the old request
REQUEST_MODULES = (
    "text/candidates.py",
    "text/datewords.py",
    "text/names.py",
    "text/morphology.py",
    "text/instructions.py",
    "text/language.py",
    "text/analysis.py",
    "text/places.py",
    "text/coverage.py",
    "text/attendance.py",
    "text/organisations.py",
    "extract/draft.py",
    "extract/reader.py",
    "extract/followup.py",
)


@cache
def request_version() -> str:
    """sha256 (16 hex digits) of the source that builds a request to the model."""
    digest = hashlib.sha256()
    for name in REQUEST_MODULES:
        digest.update(name.encode() + b"\0" + (PACKAGE_DIR / name).read_bytes())
    for path in lexicon_files():  # the candidates and instructions read it
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def verification_version() -> str:
    """sha256 (12 hex digits) of the code that asks the verification turn: it keys the
    answers of prompts that ask one (its questions are part of their request)."""
    return hashlib.sha256((PACKAGE_DIR / "extract/verify.py").read_bytes()).hexdigest()[:12]
