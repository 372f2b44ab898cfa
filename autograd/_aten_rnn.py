"""torch's functional recurrent ops that take their weights: the cells (torch.lstm_cell,
gru_cell, rnn_tanh_cell, rnn_relu_cell) and the multi-layer runs torch.lstm / gru /
rnn_tanh / rnn_relu in both of aten's forms: a padded input (T, N, I) (batch_first:
(N, T, I)), or packed data with its batch_sizes. `params` is aten's flat list: per layer
and direction w_ih, w_hh, then b_ih, b_hh when has_biases, then w_hr for an LSTM whose
hidden state is narrower than its cell state (proj_size). Compositions of Tensor ops (one
step per time step, the batch at once), so gradients come from those ops."""
from __future__ import annotations

from .ops.split import cat, stack
from .tensor_base import TensorBase as Tensor


def _lin(x, w, b):
    y = x.matmul(w.t())
    return y if b is None else y + b


# ----------------------------------------------------------------------------- cells
def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as torch.lstm_cell: one LSTM step; hx is (h, c); returns (h', c')."""
    h, c = hx
    i, f, g, o = (_lin(input, w_ih, b_ih) + _lin(h, w_hh, b_hh)).chunk(4, -1)
    c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c2.tanh(), c2


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as torch.gru_cell: one GRU step (the reset gate applied to the hidden state's
    projection, bias included, as torch's)."""
    ir, iz, in_ = _lin(input, w_ih, b_ih).chunk(3, -1)
    hr, hz, hn = _lin(hx, w_hh, b_hh).chunk(3, -1)
    r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return (1 - z) * n + z * hx


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as torch.rnn_tanh_cell."""
    return (_lin(input, w_ih, b_ih) + _lin(hx, w_hh, b_hh)).tanh()


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """Same as torch.rnn_relu_cell."""
    return (_lin(input, w_ih, b_ih) + _lin(hx, w_hh, b_hh)).relu()


# ----------------------------------------------------------------------------- runs
def _step_lstm(x, state, w):
    h, c = lstm_cell(x, state, w[0], w[1], w[2], w[3])
    return (h if w[4] is None else h.matmul(w[4].t())), c


def _step_one(cell):
    return lambda x, state, w: (cell(x, state[0], w[0], w[1], w[2], w[3]),)


def _direction(step, xs, sizes, state, w, reverse):
    """One layer, one direction over the time steps xs (step t has sizes[t] rows, the
    first ones of the batch); returns each step's output and the final state."""
    outs = [None] * len(xs)
    n = state[0].shape[0]
    for t in (reversed(range(len(xs))) if reverse else range(len(xs))):
        b = sizes[t]
        new = step(xs[t], tuple(s[:b] for s in state), w)
        outs[t] = new[0]
        state = tuple(v if b == n else cat([v, s[b:]], 0) for v, s in zip(new, state))
    return outs, state


def _dropout(x, p):
    keep = x.new_empty(tuple(x.shape)).bernoulli_(1 - p)
    return x * keep.div_(1 - p) if p < 1 else x * 0


def _run(name, step, xs, sizes, hx, params, has_biases, num_layers, dropout, train,
         bidirectional, proj):
    dirs = 2 if bidirectional else 1
    stride = (4 if has_biases else 2) + (1 if proj else 0)
    if len(params) != stride * num_layers * dirs:
        raise RuntimeError(f"{name}: expected {stride * num_layers * dirs} parameters for "
                           f"{num_layers} layer(s), {dirs} direction(s), has_biases="
                           f"{has_biases}, got {len(params)}")
    if not 0 <= dropout <= 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got "
                           f"{dropout}")
    finals = []
    for layer in range(num_layers):
        per_dir = []
        for d in range(dirs):
            k = layer * dirs + d
            p = list(params[k * stride:(k + 1) * stride])
            w = p[:2] + (p[2:4] if has_biases else [None, None]) + (p[-1:] if proj else [None])
            outs, state = _direction(step, xs, sizes, tuple(h[k] for h in hx), w, d == 1)
            per_dir.append(outs)
            finals.append(state)
        xs = per_dir[0] if dirs == 1 else [cat(o, -1) for o in zip(*per_dir)]
        if train and dropout > 0 and layer < num_layers - 1:
            xs = [_dropout(x, dropout) for x in xs]
    return xs, tuple(stack(list(s), 0) for s in zip(*finals))


def _forms(name, step, args, hx_is_list):
    """aten's two overloads: (input, hx, params, ..., batch_first) and (data, batch_sizes,
    hx, params, ...)."""
    if len(args) != 9:
        raise TypeError(f"{name}() takes 9 positional arguments, got {len(args)}")
    packed = isinstance(args[1] if hx_is_list else args[2], Tensor)
    if packed:
        data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, \
            bidirectional = args
        batch_first = False
    else:
        input, hx, params, has_biases, num_layers, dropout, train, bidirectional, \
            batch_first = args
    hx = tuple(hx) if hx_is_list else (hx,)
    proj = hx_is_list and hx[0].shape[-1] != hx[1].shape[-1]
    if packed:
        sizes = [int(s) for s in batch_sizes.tolist()]
        xs = list(data.split(sizes, 0))
    else:
        if input.dim() != 3:
            raise RuntimeError(f"{name}: expected a 3-D input (seq_len, batch, "
                               f"input_size), got shape {tuple(input.shape)}")
        seq = input.transpose(0, 1) if batch_first else input
        xs = list(seq.unbind(0))
        sizes = [seq.shape[1]] * seq.shape[0]
    outs, finals = _run(name, step, xs, sizes, hx, params, has_biases, num_layers, dropout,
                        train, bidirectional, proj)
    if packed:
        return (cat(outs, 0),) + finals
    out = stack(outs, 0)
    return ((out.transpose(0, 1) if batch_first else out),) + finals


def lstm(*args):
    """Same as torch.lstm: (output, h_n, c_n) of a multi-layer LSTM run with the given
    flat weights, in aten's padded or packed form."""
    return _forms("lstm", _step_lstm, args, True)


def gru(*args):
    """Same as torch.gru: (output, h_n)."""
    return _forms("gru", _step_one(gru_cell), args, False)


def rnn_tanh(*args):
    """Same as torch.rnn_tanh: (output, h_n)."""
    return _forms("rnn_tanh", _step_one(rnn_tanh_cell), args, False)


def rnn_relu(*args):
    """Same as torch.rnn_relu: (output, h_n)."""
    return _forms("rnn_relu", _step_one(rnn_relu_cell), args, False)
