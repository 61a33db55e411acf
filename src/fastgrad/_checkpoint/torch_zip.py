"""PyTorch's checkpoint format (what torch.save writes since PyTorch 1.6), read without unpickling.

Such a file is a zip: `<archive>/data.pkl` describes the saved object as a pickle whose tensors
point at raw storages `<archive>/data/<key>` (uncompressed, in the byte order `<archive>/byteorder`
names).  The pickle is never run: its opcodes are read with pickletools.genops (a parser) and a
small stack machine here builds plain data only: dicts (OrderedDict too), lists, tuples, sets,
strings, bytes (protocol 2's _codecs.encode(text, 'latin1')), numbers, None, booleans, tensors
(torch._utils._rebuild_tensor_v2 and the parameter rebuilders), dtypes (torch.float32, ...),
torch.Size and torch.device.  A pickle that names any other class or function (a whole pickled
model, say) raises CheckpointError naming it; nothing from the file is executed.  Each storage's
declared size is checked against the bytes its entry holds and against the load's budget, and
each tensor's view (offset, shape, strides) is checked to lie inside its storage before it is
copied out.

bfloat16 tensors load as ml_dtypes' bfloat16 when that package is installed, else as float32
(every bfloat16 value is exactly a float32).
"""
import io
import pickletools
import reprlib
import zipfile

import numpy as np

from .checks import MAX_DIMS, ZIP_DAMAGE, CheckpointError, nbytes_of

_STORAGE_DTYPES = {
    "FloatStorage": np.float32, "DoubleStorage": np.float64, "HalfStorage": np.float16,
    "BFloat16Storage": "bfloat16", "LongStorage": np.int64, "IntStorage": np.int32, "ShortStorage": np.int16,
    "CharStorage": np.int8, "ByteStorage": np.uint8, "BoolStorage": np.bool_,
    "ComplexFloatStorage": np.complex64, "ComplexDoubleStorage": np.complex128,
}
_DTYPE_NAMES = {
    "float32": np.float32, "float": np.float32, "float64": np.float64, "double": np.float64,
    "float16": np.float16, "half": np.float16, "bfloat16": "bfloat16", "int64": np.int64, "long": np.int64,
    "int32": np.int32, "int": np.int32, "int16": np.int16, "short": np.int16, "int8": np.int8,
    "uint8": np.uint8, "bool": np.bool_, "complex64": np.complex64, "cfloat": np.complex64,
    "complex128": np.complex128, "cdouble": np.complex128,
}
_CALLABLES = ("collections OrderedDict", "torch._utils _rebuild_tensor_v2", "torch._utils _rebuild_parameter",
              "torch._utils _rebuild_parameter_with_state", "torch Size", "torch device", "builtins set",
              "builtins frozenset", "_codecs encode")


def archive_prefix(names):
    """"<archive>/" when a zip holding these entry names is a torch.save checkpoint, else None."""
    return next((n[:-len("data.pkl")] for n in names if n.endswith("/data.pkl") and n.count("/") == 1), None)


def legacy_torch_error(budget):
    return budget.error("is a PyTorch checkpoint in the format before PyTorch 1.6, which fastgrad does not "
                        "read; re-save it with a current torch.save (or as .safetensors)")


def read_torch_zip(data, budget, make_tensor):
    """The object a torch.save file holds, tensors made by make_tensor(array)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except ZIP_DAMAGE as e:
        raise budget.error(f"is truncated or corrupted ({type(e).__name__}: {e})") from None
    prefix = archive_prefix(names)
    reader = _Reader(archive, prefix, budget, make_tensor)
    return reader.run(reader.entry(prefix + "data.pkl"))


class _Global:
    """A class or function the pickle names that this reader knows how to build."""

    def __init__(self, qualified):
        self.qualified = qualified


class _StorageType:
    """A storage class the pickle names (torch.FloatStorage, ...): the dtype of its elements."""

    def __init__(self, qualified, dtype):
        self.qualified, self.dtype = qualified, dtype


class _Storage:
    """A storage the pickle points at: its entry is read (once) when a tensor needs it."""

    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel = key, dtype, numel
        self.array = None


class _Mark:
    pass


_MARK = _Mark()


class _Reader:
    """One load: the zip's entries, the storages read so far, and the pickle's interpreter."""

    def __init__(self, archive, prefix, budget, make_tensor):
        self.archive, self.prefix, self.budget, self.make_tensor = archive, prefix, budget, make_tensor
        self.storages = {}
        order = self._optional_entry("byteorder", b"little").strip()
        if order not in (b"little", b"big"):
            raise budget.error(f"names the byte order {order!r}, not 'little' or 'big'")
        self.byteorder = "<" if order == b"little" else ">"

    # ---- zip entries ------------------------------------------------------------------------
    def entry(self, name, nbytes=None):
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            raise self.budget.error(f"has no entry '{name}'") from None
        if nbytes is not None and info.file_size != nbytes:
            raise self.budget.error(f"entry '{name}' holds {info.file_size} bytes, but the checkpoint declares "
                                    f"{nbytes}")
        self.budget.take(info.file_size, name)
        try:
            return self.archive.read(info)
        except ZIP_DAMAGE as e:
            raise self.budget.error(f"entry '{name}' is truncated or corrupted ({type(e).__name__}: {e})") from None

    def _optional_entry(self, name, default):
        full = self.prefix + name
        try:
            self.archive.getinfo(full)
        except KeyError:
            return default
        return self.entry(full)

    # ---- the pickle's opcodes -----------------------------------------------------------------
    def run(self, pickle_bytes):
        """The object the pickle builds (genops raises ValueError for a pickle that ends before STOP)."""
        stack, memo = [], {}
        try:
            for opcode, arg, _ in pickletools.genops(pickle_bytes):
                name = opcode.name
                if name == "STOP":
                    if len(stack) != 1:
                        raise self.budget.error("data.pkl ends with a malformed stack")
                    return stack[0]
                self._step(name, arg, stack, memo)
        except CheckpointError:
            raise
        except (ValueError, IndexError, KeyError, TypeError) as e:   # the parser's and the stack's errors
            raise self.budget.error(f"data.pkl is truncated or corrupted ({type(e).__name__}: {e})") from None

    def _step(self, name, arg, stack, memo):
        if name in ("PROTO", "FRAME"):
            return
        if name in ("NONE", "NEWTRUE", "NEWFALSE"):
            stack.append({"NONE": None, "NEWTRUE": True, "NEWFALSE": False}[name])
        elif name in ("BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8", "UNICODE", "BINBYTES", "SHORT_BINBYTES",
                      "BINBYTES8", "BINSTRING", "SHORT_BINSTRING", "STRING", "BINFLOAT", "FLOAT", "INT", "BININT",
                      "BININT1", "BININT2", "LONG", "LONG1", "LONG4"):
            stack.append(arg)
        elif name == "EMPTY_DICT":
            stack.append({})
        elif name == "EMPTY_LIST":
            stack.append([])
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name == "EMPTY_SET":
            stack.append(set())
        elif name == "MARK":
            stack.append(_MARK)
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            items = tuple(stack[len(stack) - n:])
            if len(items) != n or any(item is _MARK for item in items):
                raise self.budget.error(f"data.pkl has {name} with too few items")
            del stack[len(stack) - n:]
            stack.append(items)
        elif name in ("TUPLE", "LIST", "DICT", "FROZENSET"):
            items = _pop_mark(stack)
            if name == "DICT":
                stack.append(_dict_of(items))
            else:
                stack.append({"TUPLE": tuple, "LIST": list, "FROZENSET": frozenset}[name](items))
        elif name == "SETITEM":
            value, key = stack.pop(), stack.pop()
            _target(stack, dict, name)[key] = value
        elif name == "SETITEMS":
            items = _pop_mark(stack)
            _target(stack, dict, name).update(_dict_of(items))
        elif name == "APPEND":
            value = stack.pop()
            _target(stack, list, name).append(value)
        elif name == "APPENDS":
            items = _pop_mark(stack)
            _target(stack, list, name).extend(items)
        elif name == "ADDITEMS":
            items = _pop_mark(stack)
            _target(stack, set, name).update(items)
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[arg] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo[arg])
        elif name == "POP":
            stack.pop()
        elif name == "POP_MARK":
            _pop_mark(stack)
        elif name == "DUP":
            stack.append(stack[-1])
        elif name == "GLOBAL":
            stack.append(self._global(*arg.split(" ", 1)))
        elif name == "STACK_GLOBAL":
            qualified_name, module = stack.pop(), stack.pop()
            stack.append(self._global(module, qualified_name))
        elif name == "BINPERSID":
            stack.append(self._storage(stack.pop()))
        elif name == "REDUCE":
            args, function = stack.pop(), stack.pop()
            stack.append(self._call(function, args))
        elif name == "BUILD":
            stack.pop()   # an OrderedDict's attributes (a state dict's _metadata): not kept
            _target(stack, dict, name)
        else:
            raise self.budget.error(f"data.pkl uses the pickle opcode {name}, which fastgrad does not read (it "
                                    "loads tensors and plain data only)")

    def _global(self, module, qualified_name):
        qualified = f"{module} {qualified_name}"
        if module == "torch" and qualified_name in _DTYPE_NAMES:
            return self._dtype(_DTYPE_NAMES[qualified_name])
        if module == "torch" and qualified_name in _STORAGE_DTYPES:
            return _StorageType(qualified, _STORAGE_DTYPES[qualified_name])
        if qualified in _CALLABLES:
            return _Global(qualified)
        raise self.budget.error(
            f"data.pkl refers to {module}.{qualified_name}; fastgrad loads tensors and plain data only and never "
            "runs code from a file (a whole pickled model cannot be loaded: save its state_dict() instead)")

    def _dtype(self, dtype):
        if dtype != "bfloat16":
            return np.dtype(dtype)
        try:
            import ml_dtypes
        except ImportError:
            return np.dtype(np.float32)
        return np.dtype(ml_dtypes.bfloat16)

    def _storage(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise self.budget.error(f"data.pkl has a persistent id {_short(pid)} that is not a storage")
        _, kind, key, _location, numel = pid
        if not isinstance(kind, _StorageType):
            raise self.budget.error(f"data.pkl has a storage of unknown type {_short(kind)}")
        if not isinstance(key, str) or isinstance(numel, bool) or not isinstance(numel, int) or numel < 0:
            raise self.budget.error(f"data.pkl has a malformed storage {_short(pid)}")
        storage = self.storages.get(key)
        if storage is None:
            storage = self.storages[key] = _Storage(key, kind.dtype, numel)
        elif storage.numel != numel or storage.dtype != kind.dtype:
            raise self.budget.error(f"data.pkl declares storage '{key}' twice, differently")
        return storage

    def _call(self, function, args):
        if not isinstance(function, _Global) or not isinstance(args, tuple):
            raise self.budget.error(f"data.pkl calls {_short(function)}, which is not a known constructor")
        what = function.qualified
        if what == "collections OrderedDict":
            return dict(*args)
        if what == "torch._utils _rebuild_tensor_v2":
            return self._tensor(*args[:4]) if len(args) in (6, 7) else self._bad_args(what, args)
        if what in ("torch._utils _rebuild_parameter", "torch._utils _rebuild_parameter_with_state"):
            return args[0] if len(args) in (3, 4) else self._bad_args(what, args)
        if what == "torch Size":
            return tuple(*args)
        if what == "torch device":
            return ":".join(str(a) for a in args)
        if what == "_codecs encode":   # how protocol 2 writes bytes: encode(text, 'latin1')
            if len(args) == 2 and isinstance(args[0], str) and args[1] in ("latin1", "latin-1"):
                return args[0].encode("latin1")
            return self._bad_args(what, args)
        if what in ("builtins set", "builtins frozenset"):
            return (set if what == "builtins set" else frozenset)(*args)
        return self._bad_args(what, args)

    def _bad_args(self, what, args):
        raise self.budget.error(f"data.pkl calls {what.replace(' ', '.')} with unexpected arguments {_short(args)}")

    def _tensor(self, storage, offset, shape, strides):
        if not isinstance(storage, _Storage):
            raise self.budget.error(f"data.pkl rebuilds a tensor from {_short(storage)}, not a storage")
        if not (isinstance(shape, tuple) and isinstance(strides, tuple) and len(shape) == len(strides) <= MAX_DIMS
                and all(type(v) is int and v >= 0 for v in (offset, *shape, *strides))):
            raise self.budget.error(f"data.pkl has a tensor with a malformed view: offset {_short(offset)}, "
                                    f"shape {_short(shape)}, strides {_short(strides)}")
        source = self._storage_array(storage)
        if 0 in shape:
            return self.make_tensor(np.empty(shape, dtype=source.dtype))
        last = offset + sum((n - 1) * s for n, s in zip(shape, strides))
        if last >= source.size:
            raise self.budget.error(f"data.pkl has a tensor of shape {shape} (offset {offset}, strides {strides}) "
                                    f"reaching past its storage '{storage.key}' of {source.size} elements")
        self.budget.take(nbytes_of(shape, source.dtype), f"{self.prefix}data/{storage.key}")
        view = np.lib.stride_tricks.as_strided(source[offset:], shape=shape,
                                               strides=[s * source.itemsize for s in strides], writeable=False)
        return self.make_tensor(np.array(view, order="C"))

    def _storage_array(self, storage):
        if storage.array is None:
            if storage.dtype == "bfloat16":
                bits = self._read_storage(storage, np.dtype(np.uint16))
                target = self._dtype("bfloat16")
                if target == np.float32:
                    storage.array = (bits.astype(np.uint32) << 16).view(np.float32)
                else:
                    storage.array = bits.view(target)
            else:
                storage.array = self._read_storage(storage, np.dtype(storage.dtype))
        return storage.array

    def _read_storage(self, storage, dtype):
        raw = self.entry(f"{self.prefix}data/{storage.key}", nbytes=nbytes_of((storage.numel,), dtype))
        stored = np.frombuffer(raw, dtype=dtype.newbyteorder(self.byteorder) if dtype.itemsize > 1 else dtype)
        return stored.astype(dtype.newbyteorder("="))


def _pop_mark(stack):
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] is _MARK:
            items = stack[i + 1:]
            del stack[i:]
            return items
    raise ValueError("no MARK on the stack")


def _dict_of(items):
    if len(items) % 2:
        raise ValueError("an odd number of items for a dict")
    return {items[i]: items[i + 1] for i in range(0, len(items), 2)}


def _target(stack, kind, opcode):
    if not stack or not isinstance(stack[-1], kind):
        raise ValueError(f"{opcode} on a {type(stack[-1]).__name__ if stack else 'empty stack'}")
    return stack[-1]


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxstring, _SHORT.maxother = 3, 60, 60


def _short(value):
    """A short repr for an error message (bounded in depth: a hostile value may nest deeply)."""
    return repr(value.qualified.replace(" ", ".")) if isinstance(value, (_Global, _StorageType)) else _SHORT.repr(value)
