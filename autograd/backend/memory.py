"""Process-wide settings made once at import: glibc's malloc keeps freed memory (as
PyTorch's caching allocators do), and NumPy's floating-point warnings stay quiet."""
from __future__ import annotations

import ctypes
import os
import sys
import warnings


# Memory: training allocates and frees the same large arrays every step (activations,
# gradients). With glibc's defaults those come from mmap or are trimmed back to the OS
# when freed, so every step pays hundreds of page faults (measured: 750 per step of
# benchmarks/mlp_step.py at batch 32, 2.8 ms instead of 1.35 ms). Like PyTorch's caching
# allocators, keep freed memory in the process instead. EMBER_MALLOC_CACHE=0 opts out.
def _tune_malloc() -> bool:
    if os.environ.get("EMBER_MALLOC_CACHE", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        ok = libc.mallopt(m_mmap_threshold, 32 << 20) == 1
        return ok and libc.mallopt(m_trim_threshold, 256 << 20) == 1
    except (OSError, AttributeError):  # not glibc (musl, ...): keep the defaults
        return False


malloc_tuned = _tune_malloc()

# Floating-point warnings (log(0), 0/0) raised inside this package: PyTorch returns
# inf/nan silently, and an errstate context per op would cost a microsecond.
warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"(autograd|nn)(\.|$)")
