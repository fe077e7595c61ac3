"""Neural-network building blocks, PyTorch's `torch.nn`: `Module` and its containers, the
layers, `Parameter`, and the `functional`, `init`, `utils` and `parallel` submodules."""
from . import functional, init, utils
from .container import ModuleDict, ModuleList, Sequential
from .module import Module
from .modules import (ELU, GELU, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, BatchNorm1d,
                      BatchNorm2d, BCELoss, BCEWithLogitsLoss, Conv1d, Conv2d, ConvTranspose2d,
                      CrossEntropyLoss, Dropout, Dropout2d, Flatten, Identity, L1Loss, LeakyReLU,
                      Linear, LogSoftmax, MaxPool1d, MaxPool2d, MSELoss, NLLLoss, ReLU, Sigmoid,
                      Softmax, SyncBatchNorm, Tanh, Upsample)
from .modules.conv import ConvTranspose1d
from .modules.lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, LazyConv1d,
                           LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d,
                           LazyConvTranspose3d, LazyInstanceNorm1d, LazyInstanceNorm2d,
                           LazyInstanceNorm3d, LazyLinear)
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter
from . import parallel  # after Module: the wrappers are modules
from .parallel import DataParallel

# ---- layers family: more activations -------------------------------------------------------
from .modules import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid,
                      Mish, PReLU, ReLU6, RReLU, SiLU, Softmin, Softplus, Softshrink, Softsign,
                      Tanhshrink, Threshold)

# ---- layers family: normalisation and embedding -----------------------------------------------
from .modules import (BatchNorm3d, CosineSimilarity, Embedding, EmbeddingBag, GroupNorm,
                      InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, LayerNorm, PairwiseDistance,
                      RMSNorm)

# ---- layers family: folding, attention, recurrent layers --------------------------------------
from .modules import (GRU, LSTM, RNN, Fold, GRUCell, LSTMCell, MultiheadAttention, PixelShuffle,
                      PixelUnshuffle, RNNCell, Unfold)

# ---- layers family: resampling and padding -----------------------------------------------------
from .modules import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                      ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, UpsamplingBilinear2d,
                      UpsamplingNearest2d, ZeroPad1d, ZeroPad2d, ZeroPad3d)

# ---- layers family: 3-d convolution and pooling --------------------------------------------------
from .modules import AdaptiveAvgPool3d, AvgPool3d, Conv3d, ConvTranspose3d, MaxPool3d

# ---- the rest of torch.nn's losses ---------------------------------------------------------------
from .modules import (CosineEmbeddingLoss, CTCLoss, GaussianNLLLoss, HingeEmbeddingLoss, HuberLoss,
                      KLDivLoss, MarginRankingLoss, MultiLabelMarginLoss,
                      MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SmoothL1Loss,
                      SoftMarginLoss, TripletMarginLoss)

# ---- adaptive max pooling, Unflatten, parameter containers ---------------------------------
from .modules import AdaptiveMaxPool1d, AdaptiveMaxPool2d, Unflatten
from .parameter_containers import ParameterDict, ParameterList

# ---- layers of classic networks ------------------------------------------------------------------
from .modules import (AdaptiveAvgPool1d, Bilinear, ChannelShuffle, Dropout1d, Dropout3d,
                      LocalResponseNorm, Softmax2d)

# ---- transformer layers ------------------------------------------------------------------------
from .modules import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                      TransformerEncoder, TransformerEncoderLayer)

# ---- the rest of the everyday layers: alpha dropout, LP/fractional/3-d adaptive max pooling,
# unpooling, adaptive softmax, the recurrent base classes ----------------------
from .modules.surface_layers import (AdaptiveLogSoftmaxWithLoss, AdaptiveMaxPool3d,
                                     AlphaDropout, FeatureAlphaDropout, FractionalMaxPool2d,
                                     LPPool1d, LPPool2d, LPPool3d, MaxUnpool1d, MaxUnpool2d,
                                     MaxUnpool3d, NLLLoss2d, RNNBase, RNNCellBase,
                                     TripletMarginWithDistanceLoss)
from .parameter import Buffer
