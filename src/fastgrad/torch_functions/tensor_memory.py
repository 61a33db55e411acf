"""Tensor.data_ptr and Tensor.storage_offset, PyTorch's views on where a tensor's elements lie:
the address of the first element, and its distance in elements from the start of the memory
block the tensor shares with its views.

    base = torch.arange(10.)
    base[3:].storage_offset()                        # 3
    base[3:].data_ptr() - base.data_ptr()            # 3 * 4 bytes
"""
from ..ops import methods as _methods


def _address(op, data):
    """The address of data's first element (NumPy or CuPy data)."""
    if hasattr(data, "__array_interface__"):
        return data.__array_interface__["data"][0]
    if hasattr(data, "__cuda_array_interface__"):
        return data.__cuda_array_interface__["data"][0]
    raise TypeError(f"{op}: the tensor holds {type(data).__name__} data, whose memory address is not known "
                    "(NumPy and CuPy data only)")


def _data_ptr(self):
    """The address of the tensor's first element (0 for a tensor without elements, as PyTorch)."""
    if self._data.size == 0:
        return 0
    return _address("data_ptr", self._data)


def _storage_offset(self):
    """How many elements the first element lies past the start of the memory block the tensor
    shares with its views (0 for a tensor that owns its memory)."""
    data = root = self._data
    while getattr(root, "base", None) is not None and type(root.base) is type(data):
        root = root.base
    if root is data or data.size == 0:
        return 0
    return (_address("storage_offset", data) - _address("storage_offset", root)) // data.itemsize


_methods.bind({"data_ptr": _data_ptr, "storage_offset": _storage_offset})
