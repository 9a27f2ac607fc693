"""Big freed blocks (Whisper's encoder activations) go back to the system at once."""

from __future__ import annotations

import subprocess
import sys

import pytest

# In a process of its own, since the allocator's setting lasts for the process: a 30 MB block
# freed (glibc then keeps freed blocks up to 30 MB in its heap), then 15 blocks of 3 MB taken
# and freed; prints how many MB the process still holds for them.
SCRIPT = """
import sys
import numpy as np
import psutil
from voicer.heap import hand_back_freed_memory

if sys.argv[1] == "on":
    assert hand_back_freed_memory()
me = psutil.Process()
np.ones(30 * 2**20 // 8).sum()
before = me.memory_info().rss
blocks = [np.ones(3 * 2**20 // 8) for _ in range(15)]
del blocks
print((me.memory_info().rss - before) / 2**20)
"""


def held_mb(setting: str) -> float:
    done = subprocess.run([sys.executable, "-c", SCRIPT, setting], capture_output=True,
                          text=True, check=True)
    return float(done.stdout)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_encoder_sized_blocks_are_handed_back() -> None:
    assert held_mb("off") > 30  # what a recognizing thread kept after each piece
    assert held_mb("on") < 5
