"""Which chunk boundaries get a pause, and how long the silence after each chunk is."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PausePlan(BaseModel):
    """The Voicer API's auto-pause fields: silence after every N-th chunk, never after the last."""

    model_config = ConfigDict(frozen=True)

    enabled: bool = False
    duration: float = Field(0.5, ge=0.1, le=30.0, description="seconds of silence")
    frequency: int = Field(1, ge=1, le=100, description="every N-th chunk gets a pause")

    def after(self, index: int, total: int) -> float | None:
        """Seconds of silence after chunk ``index`` (0-based) of ``total``.

        ``0.0`` after the last chunk, ``None`` where the chunk keeps its natural gap.
        """
        if index >= total - 1:
            return 0.0
        if self.enabled and (index + 1) % self.frequency == 0:
            return self.duration
        return None
