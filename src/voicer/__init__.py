"""Voicer: a self-hosted speech service for texts of any length."""

__version__ = "0.1.0"
