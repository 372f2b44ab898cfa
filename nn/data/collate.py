"""default_collate and default_convert, as in torch.utils.data: how samples become a
batch."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import autograd as ag
from autograd import _data_support as _data
from autograd.tensor import Tensor


def default_collate(batch):
    """Same as torch.utils.data.default_collate: stacks tensors and arrays into a new
    leading dimension, numbers into 1-d tensors (floats as float64, ints as int64),
    recursing into dicts, namedtuples and sequences (tuples become lists); strings stay
    lists."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return ag.stack(list(batch))
    if _data.is_array(elem):
        return ag.stack([ag.as_tensor(b) for b in batch])
    if _data.is_numpy_scalar(elem):
        return ag.tensor([b.item() for b in batch], dtype=elem.dtype)
    if isinstance(elem, float):
        return ag.tensor(batch, dtype=ag.float64)
    if isinstance(elem, (bool, int)):
        return ag.tensor(batch)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("default_collate: each element in list of batch should be of "
                               "equal size")
        return [default_collate(list(s)) for s in zip(*batch)]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem).__name__}")


def default_convert(data):
    """Same as torch.utils.data.default_convert: arrays become tensors, recursively."""
    if _data.is_array(data):
        return ag.as_tensor(data)
    if isinstance(data, Mapping):
        return {key: default_convert(v) for key, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(default_convert(v) for v in data)
    return data
