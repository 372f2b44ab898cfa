"""Everything that builds and trains models on top of the engine (same as torch.nn)."""
# isort: skip_file
from autograd.tensor import Parameter

from .module import Module
from . import functional, init
from .layers import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Bilinear,
    Flatten,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    Linear,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sequential,
    Sigmoid,
    SiLU,
    Softmax,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
    Unflatten,
)
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    CTCLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
)
# conv, pooling, norm, dropout, embedding, rnn, attention
from .layers.attention import MultiheadAttention
from .layers.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .layers.dropout import Dropout, Dropout2d
from .layers.embedding import Embedding, EmbeddingBag
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
from .layers.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
# vision, normalisation, distance extras (branch `more-vision`)
from .layers.distance import (
    CosineEmbeddingLoss,
    CosineSimilarity,
    PairwiseDistance,
    TripletMarginLoss,
)
from .layers.norm import InstanceNorm1d, InstanceNorm2d, LocalResponseNorm, RMSNorm
from .layers.pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d
from .layers.vision import (
    PixelShuffle,
    PixelUnshuffle,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)
from .layers.conv import Conv3d
from .layers.dropout import AlphaDropout, Dropout1d, Dropout3d, FeatureAlphaDropout
from .layers.fold import ChannelShuffle, Fold, Unfold
from .layers.norm import BatchNorm3d
from .layers.padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .layers.pooling import AdaptiveAvgPool3d, AvgPool3d, MaxPool3d
from .layers.pooling_extra import (
    LPPool1d,
    LPPool2d,
    LPPool3d,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
)
from . import data, optim, parallel, utils
from .layers.adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402
from .parallel.data_parallel import DataParallel  # noqa: E402
from .layers.sync_batchnorm import SyncBatchNorm  # noqa: E402
from .layers.conv import ConvTranspose3d  # noqa: E402
from .layers.norm import InstanceNorm3d  # noqa: E402
from .layers.lazy import (  # noqa: E402
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyBatchNorm3d,
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
    LazyInstanceNorm1d,
    LazyInstanceNorm2d,
    LazyInstanceNorm3d,
    LazyLinear,
    UninitializedBuffer,
    UninitializedParameter,
)
from .layers.linear_ce import LinearCrossEntropyLoss, LinearCrossEntropyOptions  # noqa: E402
from .layers.norm import CrossMapLRN2d  # noqa: E402
from .layers.pooling import AdaptiveMaxPool3d  # noqa: E402
from .layers.pooling_extra import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: E402
from .loss import NLLLoss2d, TripletMarginWithDistanceLoss  # noqa: E402
from .module_extras import Buffer, Container, factory_kwargs  # noqa: E402
