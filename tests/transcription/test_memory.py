import platform

import pytest

from transcription.memory import map_large_blocks, release_freed_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_freed_memory_is_handed_back_on_glibc() -> None:
    assert release_freed_memory() is True


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt's M_MMAP_THRESHOLD is glibc's")
def test_large_blocks_are_mapped_on_glibc() -> None:
    assert map_large_blocks() is True
