"""The device-type registry: one DeviceType object per device type owns its array module,
transfers, kernels and checks, so a third backend is one module. Here a toy "fake" device
type (NumPy arrays of a subclass) is registered and tensors live on it end to end."""
import numpy as np
import pytest

import autograd as ag
from autograd import backend
from autograd.backend import devices


class FakeArray(np.ndarray):
    """A host array the toy device type owns."""


class _FakeNumPy:
    """The toy's array module: NumPy whose functions return FakeArrays."""

    def __getattr__(self, name):
        value = getattr(np, name)
        if isinstance(value, type) or not callable(value):
            return value

        def call(*args, **kwargs):
            out = value(*args, **kwargs)
            return out.view(FakeArray) if type(out) is np.ndarray else out
        return call


FAKE_NP = _FakeNumPy()


class FakeDevice(backend.DeviceType):
    name = "fake"
    xp = FAKE_NP
    array_types = (FakeArray,)
    compiled = []

    def device_count(self):
        return 1

    def module(self):
        return FAKE_NP

    def use(self, dev):
        return _Current()

    def device_of(self, arr):
        return backend.device("fake", 0)

    def asarray(self, data, dtype, dev):
        return np.asarray(data, dtype=dtype).view(FakeArray)

    def to_device(self, arr, dev, copy):
        host = backend.to_host(arr)
        return (host.copy() if copy else host).view(FakeArray)

    def to_host(self, arr):
        return np.asarray(arr)

    def to_numpy(self, arr):
        return np.asarray(arr)

    def elementwise_kernel(self, name, in_params, out_params, body, cpu, preamble=""):
        self.compiled.append(name)
        return lambda *args: cpu(*args).view(FakeArray)


class _Current:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def fake():
    saved = [dict(d) for d in (devices._TYPES, devices._BY_ARRAY, devices._MODULES,
                               devices._BY_MODULE)]
    array_types = devices._ARRAY_TYPES
    dt = backend.register(FakeDevice())
    yield dt
    for d, old in zip((devices._TYPES, devices._BY_ARRAY, devices._MODULES,
                       devices._BY_MODULE), saved):
        d.clear()
        d.update(old)
    devices._ARRAY_TYPES = array_types


def test_a_registered_device_type_carries_tensors_end_to_end(fake):
    assert ag.device("fake:0").type == "fake" and backend.device_type("fake") is fake
    x = ag.tensor([1.0, -2.0, 3.0], device="fake", requires_grad=True)
    assert type(x.array) is FakeArray and x.device == "fake:0"
    assert backend.array_module(x.array) is FAKE_NP and backend.is_array(x.array)
    z = ag.zeros(2, 3, device="fake")
    assert type(z.array) is FakeArray and z.device.type == "fake"
    y = (x * x).sum()
    y.backward()
    assert x.grad.tolist() == [2.0, -4.0, 6.0]
    host = x.detach().to("cpu")
    assert type(host.array) is np.ndarray and host.tolist() == [1.0, -2.0, 3.0]
    assert type(host.to("fake").array) is FakeArray
    assert backend.is_device_array(x.array)  # not a host type: ops pick its kernels


def test_kernels_compile_once_per_device_type_and_checks_raise_at_once(fake):
    double = backend.Fused("ember_test_double", "T x", "T y", "y = 2 * x", lambda x: 2 * x)
    arr = np.arange(3.0).view(FakeArray)
    for _ in range(2):
        out = double(arr)
        assert type(out) is FakeArray and out.tolist() == [0.0, 2.0, 4.0]
    assert fake.compiled.count("ember_test_double") == 1
    assert double(np.arange(2.0)).tolist() == [0.0, 2.0]  # the NumPy function on the host
    assert not backend.defers_checks(arr)
    with pytest.raises(IndexError, match="0 to 5"):
        backend.check_index(np.array([0, 5]).view(FakeArray), 0, 3,
                            lambda lo, hi: IndexError(f"{lo} to {hi}"))
    with pytest.raises(ValueError, match="bad"):
        backend.check(arr.max() > 1, lambda: ValueError("bad"))
    with pytest.raises(TypeError, match="fake has no raw kernels"):
        backend.RawKernel("k", "").rows(1, np.float32, arr)


def test_unknown_device_types_are_refused_with_the_registered_names():
    with pytest.raises(RuntimeError, match="expected 'cpu', 'cuda' or 'cuda:N', got 'tpu'"):
        ag.device("tpu")
