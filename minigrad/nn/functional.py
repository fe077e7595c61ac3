"""The functional forms of the layers, with PyTorch's names and argument orders."""
from ..functions.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from ..functions.linear import linear
from ..functions.pool import (adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d,
                              max_pool1d, max_pool2d, max_unpool1d, max_unpool2d)
from ..functions.activation import (elu, gelu, hardtanh, leaky_relu, log_softmax, relu, relu6,
                                    sigmoid, softmax, softplus, tanh)
from ..functions.dropout import dropout, dropout1d, dropout2d
from ..functions.loss import (binary_cross_entropy, binary_cross_entropy_with_logits,
                              cross_entropy, l1_loss, mse_loss, nll_loss, one_hot)
from ..functions.normalization import batch_norm
from ..functions.upsample import upsample_nearest

# ---- layers family: more activations -------------------------------------------------------
from ..functions.activation_extra import (celu, celu_, glu, hardshrink, hardsigmoid, hardswish,
                                          logsigmoid, mish, prelu, rrelu, rrelu_, selu, selu_,
                                          silu, softmin, softshrink, softsign, tanhshrink,
                                          threshold, threshold_)

# ---- layers family: normalisation and embedding -----------------------------------------------
from ..functions.embedding import embedding
from ..functions.embedding_bag import embedding_bag
from ..functions.normalization_extra import (cosine_similarity, group_norm, instance_norm,
                                             layer_norm, normalize, pairwise_distance, rms_norm)

# ---- layers family: folding and attention ------------------------------------------------------
from ..functions.attention import multi_head_attention_forward, scaled_dot_product_attention
from ..functions.fold import fold, pixel_shuffle, pixel_unshuffle, unfold

# ---- layers family: resampling and padding (these interpolate and pad take every mode) ---------
from ..functions.padding import pad
from ..functions.grid_sample import grid_sample
from ..functions.resample import (affine_grid, interpolate, upsample,
                                  upsample_bilinear)

# ---- layers family: 3-d convolution and pooling --------------------------------------------------
from ..functions.conv3d import conv3d, conv_transpose3d
from ..functions.pool3d import adaptive_avg_pool3d, avg_pool3d, max_pool3d

# ---- the rest of torch.nn's losses ---------------------------------------------------------------
from ..functions.loss_extra import (cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss,
                                    huber_loss, kl_div, margin_ranking_loss, multi_margin_loss,
                                    multilabel_margin_loss, multilabel_soft_margin_loss,
                                    poisson_nll_loss, smooth_l1_loss, soft_margin_loss,
                                    triplet_margin_loss)

# ---- adaptive max pooling ------------------------------------------------------------------------
from ..functions.adaptive_max_pool import adaptive_max_pool1d, adaptive_max_pool2d
from ..functions.ctc_loss import ctc_loss

# ---- layers of classic networks, in-place activations, 3-d dropout ------------------------------
from ..functions.activation import elu_, hardtanh_, leaky_relu_, relu_
from ..functions.classic_layers import bilinear, channel_shuffle, local_response_norm, pdist
from ..functions.dropout import dropout3d

# ---- the rest of the everyday functional surface: Gumbel softmax, alpha dropout, LP and
# fractional pooling, the *_with_indices forms, 3-d adaptive max pooling and unpooling ------------
from ..functions.surface_nn import (adaptive_max_pool1d_with_indices,
                                    adaptive_max_pool2d_with_indices, adaptive_max_pool3d,
                                    adaptive_max_pool3d_with_indices, alpha_dropout,
                                    feature_alpha_dropout, fractional_max_pool2d,
                                    fractional_max_pool2d_with_indices, gumbel_softmax, lp_pool1d,
                                    lp_pool2d, lp_pool3d, max_pool1d_with_indices,
                                    max_pool2d_with_indices, max_pool3d_with_indices,
                                    max_unpool3d, triplet_margin_with_distance_loss)
