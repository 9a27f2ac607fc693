"""Pronunciation dictionaries: rules that say a word otherwise (an alias) or as phonemes,
kept per owner in versions (``dictionaries``), read from and written as PLS (``pls``), and
applied to a text as edits (``rules``)."""
