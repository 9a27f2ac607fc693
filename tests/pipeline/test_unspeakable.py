"""Text with nothing to speak, through the pipeline and the ``voicer synthesize`` command."""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from tests.audio_tools import SILENT, decode
from tests.pipeline.test_pipeline import synthesize
from voicer.language import LanguageDetector
from voicer.pipeline.pool import WorkerPool
from voicer.pipeline.render import MIN_NATURAL_GAP
from voicer.text import SplitType
from voicer.voices import VoiceCatalogue

ENDS_UNSPOKEN = "Chapter one ends here.\n\n..."


def test_an_unspeakable_chunk_is_a_short_silence(tmp_path: Path, pool: WorkerPool,
                                                 catalogue: VoiceCatalogue,
                                                 detector: LanguageDetector) -> None:
    out = tmp_path / "book.zip"
    text = "One.\n\n—\n\n\x01\x02\n\nTwo.\n\n\u200d\u200d"
    result = synthesize(text, out, pool, catalogue, detector, split_type=SplitType.paragraphs,
                        split_output=True)
    assert result.chunks == 5
    with zipfile.ZipFile(out) as archive:
        chunks = json.loads(archive.read("manifest.json"))["chunks"]
        for chunk in chunks:
            audio = decode(archive.read(chunk["file"]))
            assert audio.duration == pytest.approx(chunk["duration_seconds"], abs=0.001)
            if chunk["speech_seconds"] == 0:  # the dash, the control characters, the joiners
                assert not np.any(np.abs(audio.samples) > SILENT)
    assert [chunk["speech_seconds"] > 0 for chunk in chunks] == [True, False, False, True, False]
    assert min(chunk["duration_seconds"] for chunk in chunks) >= MIN_NATURAL_GAP


@pytest.mark.parametrize(("text", "out"), [("...", "dots.mp3"), (ENDS_UNSPOKEN, "ends.mp3"),
                                           (ENDS_UNSPOKEN, "ends.zip")])
def test_the_command_speaks_it(tmp_path: Path, text: str, out: str) -> None:
    done = subprocess.run([sys.executable, "-m", "voicer", "synthesize", "-", "-o",
                           str(tmp_path / out), "--split", "paragraphs", "--workers", "1"],
                          input=text, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    if out.endswith(".mp3"):
        assert decode(tmp_path / out).duration >= MIN_NATURAL_GAP
    else:
        with zipfile.ZipFile(tmp_path / out) as archive:
            assert decode(archive.read("0002.mp3")).duration >= MIN_NATURAL_GAP
