"""A tiny Piper-format voice built here, with no downloaded weights: the inputs and output of a
Piper VITS graph (``input`` ids, ``input_lengths``, ``scales`` → ``output`` [1, 1, 1, T]), and a
``.onnx.json`` as Piper writes it. It "speaks" a 220 Hz tone, 256 samples per phoneme id."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SAMPLES_PER_ID = 256
HERTZ = 220.0
# What espeak-ng's Russian and English IPA is made of, and Piper's pad, start, end and marks.
PHONEMES = "_^$ !',.:;?abcdefghijklmnopqrstuvwxyzæçðøħŋœɐɑɒɔɕəɛɜɡɣɨɪɫɭɲɵɹɾʂʃʊʋʌʐʒʔʲˈˌːθχ"


def _constant(name: str, value: np.ndarray) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(value, name))


def write_voice(folder: Path, name: str, rate: int = 16_000, language: str = "ru_RU",
                espeak_voice: str = "ru") -> Path:
    """``folder/name.onnx`` and its ``.onnx.json``; returns the model's path."""
    step = np.array(2 * math.pi * HERTZ / rate, np.float32)
    nodes = [
        helper.make_node("Shape", ["input"], ["shape"]),
        _constant("one", np.array(1, np.int64)),
        helper.make_node("Gather", ["shape", "one"], ["count"], axis=0),
        _constant("per_id", np.array(SAMPLES_PER_ID, np.int64)),
        helper.make_node("Mul", ["count", "per_id"], ["length"]),
        _constant("zero", np.array(0, np.int64)),
        helper.make_node("Range", ["zero", "length", "one"], ["index"]),
        helper.make_node("Cast", ["index"], ["time"], to=TensorProto.FLOAT),
        _constant("step", step),
        helper.make_node("Mul", ["time", "step"], ["phase"]),
        helper.make_node("Sin", ["phase"], ["wave"]),
        _constant("gain", np.array(0.3, np.float32)),
        helper.make_node("Mul", ["wave", "gain"], ["loud"]),
        _constant("layout", np.array([1, 1, 1, -1], np.int64)),
        helper.make_node("Reshape", ["loud", "layout"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes, "tiny-piper",
        [helper.make_tensor_value_info("input", TensorProto.INT64, [1, "phonemes"]),
         helper.make_tensor_value_info("input_lengths", TensorProto.INT64, [1]),
         helper.make_tensor_value_info("scales", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 1, 1, "time"])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    path = folder / f"{name}.onnx"
    onnx.save(model, path)
    family, _, region = language.partition("_")
    Path(f"{path}.json").write_text(json.dumps({
        "audio": {"sample_rate": rate, "quality": "x_low"},
        "espeak": {"voice": espeak_voice},
        "inference": {"noise_scale": 0.667, "length_scale": 1, "noise_w": 0.8},
        "phoneme_type": "espeak",
        "num_symbols": len(PHONEMES),
        "num_speakers": 1,
        "language": {"code": language, "family": family, "region": region},
        "phoneme_id_map": {p: [i] for i, p in enumerate(PHONEMES)},
    }, ensure_ascii=False), "utf-8")
    return path
