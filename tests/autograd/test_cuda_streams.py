"""torch.cuda's streams, events, peak memory and RNG states (autograd/cuda.py):
without a GPU they answer as PyTorch's do; with one (CuPy), they run on CuPy."""
import pytest

import autograd as A
import autograd.cuda as C

GPU = C.is_available()


@pytest.mark.skipif(GPU, reason="the no-GPU answers")
def test_without_a_gpu_as_torch():
    assert C.max_memory_allocated() == 0 and C.max_memory_reserved() == 0
    assert C.max_memory_cached() == 0
    assert C.memory_stats() == {}
    assert C.get_arch_list() == [] and C.get_rng_state_all() == []
    C.reset_peak_memory_stats()
    C.reset_peak_host_memory_stats()
    with C.stream(None):
        pass
    with pytest.raises(RuntimeError):
        C.Stream()
    with pytest.raises(RuntimeError):
        C.Event()
    with pytest.raises(RuntimeError):
        C.current_stream()
    with pytest.raises(RuntimeError):
        C.can_device_access_peer(0, 0)


@pytest.mark.skipif(not GPU, reason="needs CuPy and a GPU")
def test_streams_events_and_peaks_on_the_gpu():
    C.reset_peak_memory_stats()
    s = C.Stream()
    start, end = C.Event(enable_timing=True), C.Event(enable_timing=True)
    with C.stream(s):
        start.record()
        x = A.ones(1 << 20, device="cuda")
        y = (x * 2).sum()
        end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0 and s.query() in (True, False)
    assert y.item() == 2 * (1 << 20)
    assert C.max_memory_allocated() >= 4 << 20
    assert C.current_stream() == C.current_stream()
    assert C.get_arch_list()[0].startswith("sm_")
    assert len(C.get_rng_state_all()) == C.device_count()
