"""Freed memory handed back to the system, in the processes that recognise long audio.

Whisper's encoder takes activations of a few MB each (1,500 frames × 512 values: 3 MB) and
frees them after every piece. glibc's allocator serves blocks that big from their own mappings
at first, but raises that threshold to the biggest block freed so far (up to 32 MB) and from
then on keeps what is freed in the heap of the thread that freed it: a process with two
recognizing threads holds on to both threads' peaks, fragmented. A fixed threshold of 2 MB
keeps the encoder's blocks in their own mappings, returned to the system as they are freed,
while the decoder's small per-token blocks stay in the heap. Measured with ``voicer transcribe``
on 8 minutes of speech (two replicas of Whisper base): peak PSS 700-740 MB before, 530-580 MB
after, for 5-10 % more CPU time (the freed pages are mapped afresh). Elsewhere than glibc (musl,
macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
MAPPED_FROM = 2 * 2**20  # bytes: a block this big or bigger gets its own mapping


def hand_back_freed_memory() -> bool:
    """Make this process return big freed blocks to the system at once; whether it could."""
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MAPPED_FROM))
