"""Freed memory handed back to the system (glibc's allocator; elsewhere these do nothing).

``trim``: the heap's free pages returned once, after a big object is gone (a speech graph's
parsed model, once its session is made).

``hand_back_freed_memory``, in the processes that recognise long audio: Whisper's encoder takes
activations of a few MB each (1,500 frames × 512 values: 3 MB) and frees them after every piece.
glibc's allocator serves blocks that big from their own mappings at first, but raises that
threshold to the biggest block freed so far (up to 32 MB) and from then on keeps what is freed
in the heap of the thread that freed it: a process with two recognizing threads holds on to both
threads' peaks, fragmented. A fixed threshold of 256 kB keeps the encoder's blocks, and the
decoder's growing caches, in their own mappings, returned to the system as they are freed.
Measured with ``voicer transcribe`` on 8 minutes of speech (two replicas of Whisper base, 2
cores): peak PSS 700-740 MB before; 530-580 MB with a 2 MB threshold, 34 s; 490-530 MB with 256
kB, 37 s (the freed pages are mapped afresh: 8-20 % more CPU time). An hour at 2 MB peaked at
760-880 MB.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util

_M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
MAPPED_FROM = 256 * 1024  # bytes: a block this big or bigger gets its own mapping


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c"))


def trim() -> None:
    """Return the heap's free pages to the system now."""
    with contextlib.suppress(OSError, AttributeError):
        _libc().malloc_trim(0)


def hand_back_freed_memory() -> bool:
    """Make this process return big freed blocks to the system at once; whether it could."""
    try:
        mallopt = _libc().mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MAPPED_FROM))
