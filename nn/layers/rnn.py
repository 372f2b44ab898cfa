"""Recurrent layers: RNN (tanh/relu), LSTM, GRU and their one-step cells (RNNCell,
LSTMCell, GRUCell), with PyTorch's parameter names, gate orders and return values. Time
steps loop in Python (the recurrence is sequential); the input projection of all steps of
a layer is one matmul. A PackedSequence input runs padded, with per-step masks."""
from __future__ import annotations

import math

import autograd as ag
from autograd import Parameter
from autograd.ops.arrange import unbind0 as _unbind0

from .. import init
from ..functional.dropout import dropout as _dropout
from ..module import Module
from ..utils.rnn import PackedSequence, _Layout

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_cell(act):
    def cell(x_t, h, w_hh, b_hh):
        pre = x_t + h @ w_hh.T
        if b_hh is not None:
            pre = pre + b_hh
        return act(pre)
    return cell


def _lstm_cell(x_t, state, w_hh, b_hh):
    h, c = state
    gates = x_t + h @ w_hh.T
    if b_hh is not None:
        gates = gates + b_hh
    n = c.shape[-1]
    s = ag.sigmoid(gates)                      # i, f, o use sigmoid; g uses tanh
    i, f, o = s[..., :n], s[..., n:2 * n], s[..., 3 * n:]
    g = ag.tanh(gates[..., 2 * n:3 * n])
    c = f * c + i * g
    return o * ag.tanh(c), c


def _gru_cell(x_t, h, w_hh, b_hh):
    # x_t already holds W_i x + b_i for the gates r, z, n
    gh = h @ w_hh.T
    if b_hh is not None:
        gh = gh + b_hh
    n = h.shape[-1]
    rz = ag.sigmoid(x_t[..., :2 * n] + gh[..., :2 * n])
    r, z = rz[..., :n], rz[..., n:]
    # n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
    new = ag.tanh(x_t[..., 2 * n:] + r * gh[..., 2 * n:])
    return (1 - z) * new + z * h


class RNNBase(Module):
    """Shared by RNN, LSTM and GRU (same as torch.nn.RNNBase; `proj_size` for LSTM only)."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"{type(self).__name__}: hidden_size and num_layers must be "
                             f"positive, got {hidden_size} and {num_layers}")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional
        self.proj_size = proj_size
        gate = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        out_size = proj_size or hidden_size  # the size of h (projected when proj_size > 0)
        self._flat_weights_names = []
        for layer in range(num_layers):
            in_size = input_size if layer == 0 else out_size * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d else "")
                shapes = [("weight_ih" + sfx, (gate, in_size)),
                          ("weight_hh" + sfx, (gate, out_size))]
                if bias:
                    shapes += [("bias_ih" + sfx, (gate,)), ("bias_hh" + sfx, (gate,))]
                if proj_size:
                    shapes.append(("weight_hr" + sfx, (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name, Parameter(ag.empty(shape, dtype=dtype, device=device)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def flatten_parameters(self) -> None:
        """Same as torch's: a no-op here (PyTorch compacts the weights for cuDNN, which
        Ember does not call)."""

    @property
    def all_weights(self) -> list:
        """Same as torch's: per layer and direction, [w_ih, w_hh, b_ih, b_hh(, w_hr)]."""
        n = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional
                                                                 else 1))
        names = self._flat_weights_names
        return [[getattr(self, w) for w in names[i:i + n]] for i in range(0, len(names), n)]

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, w) for w in self._flat_weights_names]

    def check_input(self, input, batch_sizes) -> None:
        """Same as torch's: the input's rank and feature size."""
        expected = 2 if batch_sizes is not None else 3
        if input.ndim != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.ndim}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")

    def get_expected_hidden_size(self, input, batch_sizes) -> tuple:
        mini_batch = int(batch_sizes[0]) if batch_sizes is not None else \
            input.shape[0 if self.batch_first else 1]
        dirs = 2 if self.bidirectional else 1
        return (self.num_layers * dirs, mini_batch, self.proj_size or self.hidden_size)

    def check_hidden_size(self, hx, expected_hidden_size,
                          msg="Expected hidden size {}, got {}") -> None:
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(list(expected_hidden_size), list(hx.shape)))

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        expected = self.get_expected_hidden_size(input, batch_sizes)
        if self.mode == "LSTM":
            self.check_hidden_size(hidden[0], expected, "Expected hidden[0] size {}, got {}")
            self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                                   "Expected hidden[1] size {}, got {}")
        else:
            self.check_hidden_size(hidden, expected)

    def get_expected_cell_size(self, input, batch_sizes) -> tuple:
        return self.get_expected_hidden_size(input, batch_sizes)[:2] + (self.hidden_size,)

    def permute_hidden(self, hx, permutation):
        """Same as torch's: the hidden state(s) reordered along the batch dim."""
        if permutation is None:
            return hx
        if self.mode == "LSTM":
            return tuple(h.index_select(1, permutation) for h in hx)
        return hx.index_select(1, permutation)

    def _weights(self, layer, d):
        sfx = f"_l{layer}" + ("_reverse" if d else "")
        get = lambda n: getattr(self, n + sfx) if self.bias or n.startswith("w") else None
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _cell(self):
        if self.mode == "LSTM":
            return _lstm_cell
        if self.mode == "GRU":
            return _gru_cell
        return _rnn_cell(ag.tanh if self.mode == "RNN_TANH" else ag.relu)

    def _check_hidden(self, h, expected, what="hidden"):
        if tuple(h.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(h.shape)}")

    def forward(self, input, hx=None):
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        lstm = self.mode == "LSTM"
        name = type(self).__name__
        if input.ndim not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                             f"tensor instead")
        batched = input.ndim == 3
        if not batched:  # (L, H_in): one sequence; hidden states are (layers*dirs, H)
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        x, hidden = self._run(input, hx, None)
        if not batched:
            x = x.squeeze(1)
            hidden = tuple(h.squeeze(1) for h in hidden) if lstm else hidden.squeeze(1)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, hidden

    def _forward_packed(self, packed, hx):
        """A PackedSequence runs padded (T, B, H_in) in its sorted batch order, with a
        per-step mask freezing the states of finished sequences (so h_n is each
        sequence's state at its own last step, and the reverse direction starts at each
        sequence's own end); the output is packed again."""
        lstm = self.mode == "LSTM"
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        if data.ndim != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.ndim}")
        layout = _Layout(batch_sizes, data.device)
        if hx is not None and sorted_indices is not None:  # the user's order -> sorted
            hx = (tuple(h.index_select(1, sorted_indices) for h in hx) if lstm
                  else hx.index_select(1, sorted_indices))
        x, hidden = self._run(layout.pad(data), hx, layout.step_masks())
        if unsorted_indices is not None:
            hidden = (tuple(h.index_select(1, unsorted_indices) for h in hidden) if lstm
                      else hidden.index_select(1, unsorted_indices))
        out = PackedSequence(layout.pack(x), batch_sizes, sorted_indices, unsorted_indices)
        return out, hidden

    def _run(self, input, hx, masks):
        """All layers over time-major (T, B, H_in); `masks[t]` (B, 1) bool or None."""
        lstm = self.mode == "LSTM"
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.shape[-1]}")
        dirs = 2 if self.bidirectional else 1
        n_batch = input.shape[1]
        expected = (self.num_layers * dirs, n_batch, self.proj_size or self.hidden_size)
        expected_c = expected[:2] + (self.hidden_size,)
        if hx is None:
            zeros = ag.zeros(expected, dtype=input.dtype, device=input.device)
            hx = (zeros, ag.zeros(expected_c, dtype=input.dtype, device=input.device)) \
                if lstm else zeros
        elif lstm:
            self._check_hidden(hx[0], expected)
            self._check_hidden(hx[1], expected_c, "cell")
        else:
            self._check_hidden(hx, expected)
        h0 = _unbind0(hx[0] if lstm else hx)
        c0 = _unbind0(hx[1]) if lstm else None
        cell = self._cell()
        x, h_n, c_n = input, [], []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, d)
                proj = x @ w_ih.T                  # all time steps in one matmul
                if b_ih is not None:
                    proj = proj + b_ih
                state = (h0[k], c0[k]) if lstm else h0[k]
                steps = _unbind0(proj)
                ys = [None] * len(steps)
                order = range(len(steps) - 1, -1, -1) if d else range(len(steps))
                w_hr = getattr(self, f"weight_hr_l{layer}" + ("_reverse" if d else "")) \
                    if self.proj_size else None
                for t in order:
                    new = cell(steps[t], state, w_hh, b_hh)
                    if w_hr is not None:  # LSTM with projections: h = W_hr (o * tanh(c))
                        new = (new[0] @ w_hr.T, new[1])
                    ys[t] = new[0] if lstm else new
                    if masks is not None and masks[t] is not None:  # finished: keep state
                        m = masks[t]
                        new = (tuple(ag.where(m, a, b) for a, b in zip(new, state)) if lstm
                               else ag.where(m, new, state))
                    state = new
                outs.append(ag.stack(ys, 0))
                h_n.append(state[0] if lstm else state)
                if lstm:
                    c_n.append(state[1])
            x = outs[0] if dirs == 1 else ag.cat(outs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = _dropout(x, self.dropout, True)
        h_n = ag.stack(h_n, 0)
        return x, ((h_n, ag.stack(c_n, 0)) if lstm else h_n)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:  # PyTorch's order: right after the sizes
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """Same as torch.nn.RNN (nonlinearity 'tanh' or 'relu')."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)


class LSTM(RNNBase):
    """Same as torch.nn.LSTM: returns (output, (h_n, c_n)); gates in order i, f, g, o."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Same as torch.nn.GRU: gates in order r, z, n."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, device=device, dtype=dtype)


# ----------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Shared by RNNCell, LSTMCell and GRUCell (same as torch.nn.RNNCellBase): one time
    step, with the gate maths of the full layers above."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate = num_chunks * hidden_size
        kw = dict(dtype=dtype, device=device)
        self.weight_ih = Parameter(ag.empty((gate, input_size), **kw))
        self.weight_hh = Parameter(ag.empty((gate, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(ag.empty((gate,), **kw))
            self.bias_hh = Parameter(ag.empty((gate,), **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -stdv, stdv)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _check_dims(self, input, hx):
        name = type(self).__name__
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D "
                             "instead")
        states = [] if hx is None else list(hx) if isinstance(hx, (tuple, list)) else [hx]
        for i, h in enumerate(states):
            if h.ndim not in (1, 2):
                what = f"hx[{i}]" if isinstance(hx, (tuple, list)) else "hidden"
                raise ValueError(f"{name}: Expected {what} to be 1D or 2D, got {h.ndim}D "
                                 "instead")
        return input.ndim == 2

    def _check_shapes(self, input, states):
        # the checks of PyTorch's cell kernels, in their order and words
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for i, h in enumerate(states):
            if h.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{i} batch size {h.shape[0]}")
            if h.ndim < 2:
                raise IndexError("Dimension out of range (expected to be in range of "
                                 "[-1, 0], but got 1)")
            if h.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got "
                                   f"{h.shape[1]}, expected {self.hidden_size}")

    def _step(self, cell, input, hx, n_states):
        """Batch the input (and hx) if unbatched, check, run `cell`, unbatch again."""
        batched = self._check_dims(input, hx)
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            zeros = ag.zeros((input.shape[0], self.hidden_size), dtype=input.dtype,
                             device=input.device)
            states = [zeros] * n_states
        else:
            states = list(hx) if n_states > 1 else [hx]
            if not batched:
                states = [h.unsqueeze(0) for h in states]
        self._check_shapes(input, states)
        proj = input @ self.weight_ih.T  # W_ih x + b_ih, as the layers' input projection
        if self.bias_ih is not None:
            proj = proj + self.bias_ih
        out = cell(proj, tuple(states) if n_states > 1 else states[0], self.weight_hh,
                   self.bias_hh)
        if not batched:
            out = tuple(o.squeeze(0) for o in out) if n_states > 1 else out.squeeze(0)
        return out


class RNNCell(RNNCellBase):
    """Same as torch.nn.RNNCell: h' = act(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            self._check_dims(input, hx)
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        act = ag.tanh if self.nonlinearity == "tanh" else ag.relu
        return self._step(_rnn_cell(act), input, hx, 1)


class LSTMCell(RNNCellBase):
    """Same as torch.nn.LSTMCell: returns (h', c'); gates in order i, f, g, o."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        return self._step(_lstm_cell, input, hx, 2)


class GRUCell(RNNCellBase):
    """Same as torch.nn.GRUCell: gates in order r, z, n."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        return self._step(_gru_cell, input, hx, 1)
