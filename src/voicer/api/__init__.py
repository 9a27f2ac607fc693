"""The HTTP layer: thin routes over the services."""

from voicer.api.app import create_app

__all__ = ["create_app"]
