"""Which engine hears a model id: the Scribe ids go to the upstream only with a key, and not
when VOICER_ELEVENLABS_SCRIBE says local; `whisper` is always the local model."""

from __future__ import annotations

from pathlib import Path

from voicer.recognition.registry import RecognizerRegistry, recognition_engines
from voicer.recognition.scribe import UpstreamScribe
from voicer.settings import Settings
from voicer.upstream.engine import Upstream


def test_scribe_ids_route_to_the_upstream_only_with_a_key_and_not_told_local(
        tmp_path: Path) -> None:
    keyed = Settings(data_dir=tmp_path, elevenlabs_api_key="key",  # type: ignore[arg-type]
                     elevenlabs_base_url="http://127.0.0.1:9", elevenlabs_concurrency=2)
    upstream = Upstream(keyed)  # nothing is asked of it here
    try:
        routed = RecognizerRegistry(recognition_engines(keyed, upstream))
        told = RecognizerRegistry(recognition_engines(
            keyed.model_copy(update={"elevenlabs_scribe": "local"}), upstream))
        keyless = RecognizerRegistry(recognition_engines(keyed, None))
        assert [routed.engine_of(model) for model in ("scribe_v1", "scribe_v2", "whisper")] == [
            "elevenlabs", "elevenlabs", "whisper"]
        scribe = routed.relay_for("scribe_v1_experimental")
        assert isinstance(scribe, UpstreamScribe) and scribe.upstream is upstream
        for registry in (told, keyless):
            assert {registry.engine_of(model) for model in ("scribe_v1", "whisper")} == {"whisper"}
    finally:
        upstream.close()
