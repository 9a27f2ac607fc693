"""Encoders that turn PCM into the output formats."""
