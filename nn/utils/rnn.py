"""Variable-length sequences (same as torch.nn.utils.rnn): pad_sequence, PackedSequence,
pack_padded_sequence, pad_packed_sequence, pack_sequence and their inverses. Lengths and
batch_sizes live on the host (int64 CPU tensors), as in PyTorch; each conversion is one
index map built there and applied with one differentiable gather (index_select) on the
data's device."""
from __future__ import annotations

from collections import namedtuple

import autograd as ag
from autograd.tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]


def _bind(t, fn):
    return None if t is None else fn(t)


class PackedSequence(namedtuple("PackedSequence_",
                                ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Same as torch.nn.utils.rnn.PackedSequence: `data` holds the valid steps of every
    sequence, time-major; `batch_sizes[t]` counts the sequences still running at step t
    (an int64 CPU tensor); `sorted_indices` maps sorted to original batch order."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should "
                "never be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn. "
                "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """`data.to(...)`; the indices follow the data's device; self if nothing changes."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = lambda t: t.to(data.device)
        return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, move),
                          _bind(self.unsorted_indices, move))

    def cuda(self, device="cuda"):
        return self.to(device)

    def cpu(self):
        return self.to("cpu")

    def double(self):
        return self.to(ag.float64)

    def float(self):
        return self.to(ag.float32)

    def half(self):
        return self.to(ag.float16)

    def long(self):
        return self.to(ag.int64)

    def int(self):
        return self.to(ag.int32)

    @property
    def is_cuda(self):
        return self.data.device.type == "cuda"


def invert_permutation(permutation):
    """Same as torch.nn.utils.rnn.invert_permutation (None stays None)."""
    if permutation is None:
        return None
    out = ag.empty_like(permutation)
    out[permutation] = ag.arange(permutation.shape[0], dtype=out.dtype, device=out.device)
    return out


# ----------------------------------------------------------------------------- index maps
def _host_ints(values) -> Tensor:
    """Lengths (a list, tuple, array or tensor) as a flat int64 CPU tensor."""
    if isinstance(values, Tensor):
        return values.detach().to("cpu", ag.int64).reshape(-1)
    return ag.as_tensor(values, dtype=ag.int64).reshape(-1)


def _gather(rows, index, device):
    """rows[index] along dim 0, differentiable; `index` a host int64 tensor of any shape."""
    out = rows.index_select(0, index.reshape(-1).to(device))
    return out.reshape(*index.shape, *rows.shape[1:])


def _with_pad_row(data, padding_value):
    """`data` with one extra row of `padding_value` at the end (the gather's fill source)."""
    pad = ag.full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    return ag.cat([data, pad], 0)


def _host_lengths(batch_sizes):
    """Sequence lengths (sorted batch order) from batch_sizes, as a host tensor."""
    sizes = _host_ints(batch_sizes)
    return (sizes[:, None] > ag.arange(int(sizes[0]) if sizes.numel() else 0)).sum(0)


class _Layout:
    """The padded (T, B) time-major view of a PackedSequence in sorted batch order: `valid`
    marks the running steps, `rows` gives each packed row's flat padded position."""

    def __init__(self, batch_sizes, device):
        self.lengths = _host_lengths(batch_sizes)
        self.T, self.B = int(batch_sizes.shape[0]), int(self.lengths.shape[0])
        self.valid = ag.arange(self.T)[:, None] < self.lengths[None, :]
        self.rows = self.valid.reshape(-1).nonzero(as_tuple=True)[0]  # time-major, then batch
        self.device = device

    def pad(self, data, padding_value=0.0, total_length=None):
        """Packed (N, *) -> padded (total_length or T, B, *)."""
        T = self.T if total_length is None else total_length
        n = self.rows.numel()
        source = ag.full((T * self.B,), n, dtype=ag.int64)  # n: the pad row
        source[self.rows] = ag.arange(n)
        return _gather(_with_pad_row(data, padding_value), source.reshape(T, self.B),
                       self.device)

    def pack(self, padded):
        """Padded (T, B, *) -> packed (N, *): the valid steps only."""
        flat = padded.reshape(self.T * self.B, *padded.shape[2:])
        return _gather(flat, self.rows, self.device)

    def step_masks(self):
        """Per time step a (B, 1) bool device tensor of running sequences, or None where
        all B run (no masking needed there)."""
        full = self.valid.all(1).tolist()
        return [None if full[t] else self.valid[t][:, None].to(self.device, copy=True)
                for t in range(self.T)]


# ----------------------------------------------------------------------------- public API
def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Same as torch.nn.utils.rnn.pad_sequence: (T, B, *) or (B, T, *) from sequences of
    shape (L_i, *); padding on the right or the left."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    lengths = ag.tensor([s.shape[0] for s in sequences], dtype=ag.int64)
    T = int(lengths.max())
    starts = lengths.cumsum(0) - lengths                       # each sequence's first row
    t = ag.arange(T)[None, :]                                  # (1, T) against (B, 1)
    shift = 0 if padding_side == "right" else T - lengths[:, None]
    step = t - shift                                           # step within the sequence
    valid = (step >= 0) & (step < lengths[:, None])
    source = ag.where(valid, starts[:, None] + step, lengths.sum())  # (B, T)
    rows = _with_pad_row(ag.cat(sequences, 0), padding_value)
    return _gather(rows, source if batch_first else source.T, rows.device)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Same as torch.nn.utils.rnn.pack_padded_sequence (lengths: a list or a CPU tensor)."""
    if isinstance(lengths, Tensor):
        if lengths.device.type != "cpu" or lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.ndim}D {lengths.device} Long tensor")
    lengths = _host_ints(lengths)
    batch_dim = 0 if batch_first else 1
    B, T_in = input.shape[batch_dim], input.shape[1 - batch_dim]
    sorted_indices = None
    order = ag.arange(lengths.numel())
    if not enforce_sorted:
        order = lengths.argsort(descending=True, stable=True)
        lengths = lengths[order]
        sorted_indices = order.to(input.device, copy=True)
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.numel() != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.numel()} (batch_size={B})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if (lengths[:-1] < lengths[1:]).any():
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX "
            "exportability.")
    if int(lengths[0]) > T_in:
        raise RuntimeError(f"pack_padded_sequence: expected lengths at most the padded "
                           f"length {T_in}, got {int(lengths[0])}")
    valid = ag.arange(int(lengths[0]))[:, None] < lengths[None, :]    # (T, B) sorted
    t, b = valid.nonzero(as_tuple=True)                                # time-major order
    b = order[b]                                                       # original batch item
    source = b * T_in + t if batch_first else t * B + b
    data = _gather(input.reshape(B * T_in, *input.shape[2:]), source, input.device)
    batch_sizes = valid.sum(1)  # int64
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Same as torch.nn.utils.rnn.pad_packed_sequence: returns (padded, lengths), lengths
    an int64 CPU tensor, both in the original batch order."""
    T = sequence.batch_sizes.shape[0]
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"Expected total_length to be at least the length of the "
                             f"longest sequence in input, but got total_length={total_length}"
                             f" and max sequence length being {T}")
        T = total_length
    data = sequence.data
    layout = _Layout(sequence.batch_sizes, data.device)
    padded = layout.pad(data, padding_value, T)
    lengths = layout.lengths
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.to("cpu")]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, lengths


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Same as torch.nn.utils.rnn.unpad_sequence (but leaves `padded_sequences` as it is;
    PyTorch transposes it in place when not batch_first)."""
    lengths = _host_ints(lengths)
    x = padded_sequences
    B, T = (x.shape[0], x.shape[1]) if batch_first else (x.shape[1], x.shape[0])
    lengths = lengths.clamp_max(T)
    b, t = (ag.arange(T)[None, :] < lengths[:, None]).nonzero(as_tuple=True)  # batch-major
    source = b * T + t if batch_first else t * B + b
    flat = _gather(x.reshape(B * T, *x.shape[2:]), source, x.device)
    return list(flat.split(lengths.tolist(), 0))


def pack_sequence(sequences, enforce_sorted=True):
    """Same as torch.nn.utils.rnn.pack_sequence."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Same as torch.nn.utils.rnn.unpack_sequence: the list of original sequences."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
