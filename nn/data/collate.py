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
    recursing into dicts, namedtuples and sequences (a batch of tuples or lists becomes a
    list of fields); strings come back as the batch holds them: a list at the top, the
    tuple of a field's values inside a sequence (a batch of (x, label, name) gives
    [tensor, tensor, ('a', 'b')]), as in PyTorch."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return ag.stack(list(batch))
    if isinstance(elem, (str, bytes)):  # NumPy's str_ too
        return batch
    if _data.is_array(elem) or _data.is_numpy_scalar(elem):
        if elem.dtype.kind in "SUO":  # strings or objects: no tensor of them
            raise TypeError(_UNSUPPORTED.format(elem.dtype))
        if _data.is_array(elem):
            return ag.stack([ag.as_tensor(b) for b in batch])
        return ag.tensor([b.item() for b in batch], dtype=elem.dtype)
    if isinstance(elem, float):
        return ag.tensor(batch, dtype=ag.float64)
    if isinstance(elem, (bool, int)):
        return ag.tensor(batch)
    if isinstance(elem, Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        try:
            return type(elem)(fields)  # an OrderedDict stays one
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(b) != size for b in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        return [default_collate(s) for s in zip(*batch)]
    raise TypeError(_UNSUPPORTED.format(type(elem)))


# PyTorch's message, word for word (scripts match on it)
_UNSUPPORTED = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                "or lists; found {}")


def default_convert(data):
    """Same as torch.utils.data.default_convert (what DataLoader(batch_size=None) applies
    to each sample): arrays become tensors, recursively; a plain tuple becomes a list, as
    in PyTorch (a namedtuple keeps its type)."""
    if _data.is_array(data):
        return ag.as_tensor(data)
    if isinstance(data, Mapping):
        return {key: default_convert(v) for key, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(v) for v in data))
    if isinstance(data, (list, tuple)):
        return [default_convert(v) for v in data]
    return data
