"""PyTorch's `torch.backends.mps`: Apple's Metal is not built into fastgrad."""


def is_available():
    return False


def is_built():
    return False
