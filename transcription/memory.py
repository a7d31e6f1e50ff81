"""Keep Whisper's memory flat over a long file: freed memory goes back to the operating system.

Measured on a 60-minute upload: without this, the process's resident memory climbed from 293 to
425 MiB over the file (glibc keeps freed blocks in per-thread arenas, and CTranslate2's threads
allocate and free different sizes every chunk); with `malloc_trim` after each chunk it stayed at
~200 MiB. Elsewhere than glibc (musl, macOS) this is a no-op: their allocators behave differently.

The peak within a chunk still grew over a file (per-chunk peak 367 -> 492 MiB over 10 minutes,
722 MiB on a 60-minute file): glibc raises its mmap threshold each time a large block is freed,
so later large arrays (CTranslate2's beam-search buffers) come from the fragmenting heap instead
of their own mappings. A fixed 1 MiB threshold keeps them in mappings that are returned on free:
per-chunk peaks stayed at 309-376 MiB over the same file, at the same speed (a 64 KiB threshold
was as flat but 45 % slower).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from collections.abc import Callable

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
MMAP_THRESHOLD_BYTES = 1 << 20


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


@functools.cache
def map_large_blocks() -> bool:
    """Serve blocks of 1 MiB or more from their own mappings for the rest of the process (once)."""
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is None or not hasattr(libc, "malloc_trim"):  # not glibc
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc
        return None


def release_freed_memory() -> bool:
    """Return freed heap pages to the OS; say whether the C library could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
