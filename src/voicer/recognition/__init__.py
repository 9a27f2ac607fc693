"""Speech recognition: audio in, words with their times out (see ``base`` for the protocol)."""

from voicer.recognition.base import Recognizer, RecognizerFactory, Segment, Transcript, Word

__all__ = ["Recognizer", "RecognizerFactory", "Segment", "Transcript", "Word"]
