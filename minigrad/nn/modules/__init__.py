"""The layers, one file per family, with PyTorch's names, arguments and reprs."""
from .activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .flatten import Flatten, Unflatten
from .lazy import (LazyBatchNorm1d, LazyBatchNorm2d, LazyConv1d, LazyConv2d,
                   LazyConvTranspose1d, LazyConvTranspose2d, LazyLinear)
from .linear import Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .loss import (CosineEmbeddingLoss, CTCLoss, GaussianNLLLoss, HingeEmbeddingLoss,
                   HuberLoss, KLDivLoss, MarginRankingLoss, MultiLabelMarginLoss,
                   MultiLabelSoftMarginLoss, MultiMarginLoss, PoissonNLLLoss, SmoothL1Loss,
                   SoftMarginLoss, TripletMarginLoss)
from .normalization import BatchNorm1d, BatchNorm2d
from .sync_batchnorm import SyncBatchNorm
from .pooling import (AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d,
                      AvgPool2d, MaxPool1d, MaxPool2d)
from .upsample import Upsample

# ---- layers family: more activations -------------------------------------------------------
from .activation_extra import (CELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                               LogSigmoid, Mish, PReLU, ReLU6, RReLU, SiLU, Softmin, Softplus,
                               Softshrink, Softsign, Tanhshrink, Threshold)

# ---- layers family: normalisation and embedding -----------------------------------------------
from .embedding import Embedding, EmbeddingBag
from .normalization_extra import (BatchNorm3d, CosineSimilarity, GroupNorm, InstanceNorm1d,
                                  InstanceNorm2d, InstanceNorm3d, LayerNorm, PairwiseDistance,
                                  RMSNorm)

# ---- layers family: folding, attention, recurrent layers --------------------------------------
from .attention import MultiheadAttention
from .fold import Fold, PixelShuffle, PixelUnshuffle, Unfold
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

# ---- layers family: resampling and padding -----------------------------------------------------
from .resample import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                       ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                       ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, UpsamplingBilinear2d,
                       UpsamplingNearest2d, ZeroPad1d, ZeroPad2d, ZeroPad3d)

# ---- layers family: 3-d convolution and pooling --------------------------------------------------
from .conv3d import AdaptiveAvgPool3d, AvgPool3d, Conv3d, ConvTranspose3d, MaxPool3d

# ---- layers family: transformer ------------------------------------------------------------------
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)

# ---- layers of classic networks ----------------------------------------------------------------
from .classic_layers import (AdaptiveAvgPool1d, Bilinear, ChannelShuffle, Dropout1d, Dropout3d,
                             LocalResponseNorm, Softmax2d)
