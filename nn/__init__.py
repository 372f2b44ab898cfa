"""Everything that builds and trains models on top of the engine (same as torch.nn)."""
# isort: skip_file
from autograd.tensor import Parameter

from .module import Module
from . import functional, init
from .layers import (
    ELU,
    GELU,
    Bilinear,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    ReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
    Unflatten,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
# conv, pooling, norm, dropout, embedding, rnn, attention
from .layers.attention import MultiheadAttention
from .layers.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .layers.dropout import Dropout, Dropout2d
from .layers.embedding import Embedding
from .layers.norm import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .layers.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from .layers.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .layers.transformer import TransformerEncoder, TransformerEncoderLayer
from . import data, optim, parallel, utils
