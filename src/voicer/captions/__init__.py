"""Captions of a task's whole audio: its words timed on the output's clock (``timeline``),
grouped into cues on sentence boundaries (``cues``), written as SRT, WebVTT or word-level
JSON (``formats``)."""
