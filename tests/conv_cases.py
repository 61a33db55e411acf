"""Convolution geometries shared by the convolution tests: (input shape, weight shape, keyword arguments)."""

CONV2D = [
    ((2, 3, 7, 6), (4, 3, 3, 3), dict()),
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding=1)),
    ((1, 2, 9, 8), (6, 2, 2, 3), dict(stride=(2, 3), padding=(1, 2))),
    ((2, 2, 10, 9), (3, 2, 3, 2), dict(dilation=(2, 3), padding=2)),
    ((2, 4, 6, 6), (6, 2, 3, 3), dict(groups=2, padding="same")),
    ((2, 4, 6, 7), (4, 1, 2, 4), dict(groups=4, padding="same", dilation=(1, 2))),  # depthwise, even kernel
    ((1, 3, 5, 5), (2, 3, 5, 5), dict(padding="valid")),
    ((3, 5, 5), (2, 3, 3, 3), dict(stride=2)),  # unbatched
    ((2, 1, 28, 28), (16, 1, 5, 5), dict()),  # LeNet's first layer
]

CONV1D = [
    ((2, 3, 11), (4, 3, 3), dict()),
    ((2, 4, 10), (6, 2, 4), dict(groups=2, padding="same")),
    ((1, 2, 12), (3, 2, 3), dict(stride=2, padding=1, dilation=2)),
    ((3, 9), (2, 3, 2), dict()),  # unbatched
]

CONV_TRANSPOSE2D = [
    ((2, 4, 5, 6), (4, 3, 3, 3), dict()),
    ((2, 4, 5, 6), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1)),
    ((1, 4, 4, 5), (4, 2, 2, 3), dict(stride=(2, 3), padding=(1, 0), dilation=(2, 1), groups=2)),
    ((2, 6, 7, 7), (6, 1, 3, 3), dict(groups=6, padding=1)),  # depthwise
    ((4, 3, 3), (4, 2, 3, 3), dict(stride=2)),  # unbatched
    ((1, 2, 4, 4), (2, 3, 3, 3), dict(dilation=2, output_padding=1)),  # output_padding >= stride
]
