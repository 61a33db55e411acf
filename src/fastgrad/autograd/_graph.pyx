# cython: language_level=3, boundscheck=False, wraparound=False
"""The graph core, compiled: tensor fields, graph nodes, op application and the backward loop.

Every op and every backward step passes through here, so this is where the
per-op cost of the library is paid.  The Python-facing pieces stay in Python:
tensor.py (Tensor's methods), primitive.py (Primitive), engine.py (backward,
grad).  The logic is the same as it would be in Python; Cython's typed field
access removes most of the interpreter overhead.
"""
import numpy as np

cimport numpy as cnp
from libc.string cimport memcmp
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.ref cimport Py_INCREF
from cpython.tuple cimport PyTuple_New, PyTuple_SET_ITEM


# ---- grad mode ----------------------------------------------------------------
# Whether operations record a graph belongs to the thread (grad_mode.py holds the
# user-facing switches).  The flag is a C thread-local, so an op reads it without
# a Python attribute lookup; every thread starts with recording on.

cdef extern from *:
    """
    #if defined(_MSC_VER)
    #define FG_THREAD_LOCAL __declspec(thread)
    #else
    #define FG_THREAD_LOCAL __thread
    #endif
    static FG_THREAD_LOCAL int fg_grad_disabled = 0;
    """
    int fg_grad_disabled


cdef class GradState:
    """The calling thread's grad mode: `STATE.enabled` reads and sets it."""

    property enabled:
        def __get__(self):
            return not fg_grad_disabled

        def __set__(self, value):
            global fg_grad_disabled
            fg_grad_disabled = not value


STATE = GradState()

cnp.import_array()

from time import perf_counter_ns as _perf_counter_ns

from ..backend import NUMPY, backend_for
from . import anomaly as _anomaly

cdef object _ndarray = np.ndarray
cdef object _generic = np.generic
cdef object _F32 = np.dtype(np.float32)
cdef object _F64 = np.dtype(np.float64)
cdef object _I64 = np.dtype(np.int64)
cdef object _tensor_type = None
cdef bint _anomaly_active = False  # some thread has anomaly detection on (anomaly.py)

cdef object _recorder = None  # set while fastgrad.jit records (autograd/capture.py)
cdef object _profiler = None  # set while fastgrad.profiler records (profiler/recording.py)

_FREED = ("{op}: trying to backward through the graph a second time (or directly access saved "
          "tensors after they have already been freed); pass retain_graph=True to the first backward")


cdef class TensorBase:
    """The fields of a Tensor.  Tensor (tensor.py) adds the methods."""

    cdef public object _data     # the array (numpy, CuPy or array-API); `data` is the Tensor view
    cdef public object _grad      # None or a Tensor over the gradient array
    cdef public bint _requires_grad
    cdef public object _node      # the Context that made it, None for a leaf
    cdef public list _version     # [count], shared with views of the same storage
    cdef public object _hooks
    cdef object __weakref__

    # The array's attributes, read by most ops: compiled, so a read costs no Python frame.
    property shape:
        def __get__(self):
            return self._data.shape

    property dtype:
        def __get__(self):
            return self._data.dtype

    property ndim:
        def __get__(self):
            return self._data.ndim

    property grad:
        """The accumulated gradient: None, or a Tensor of this tensor's shape.

        `np.asarray(x.grad)` is the gradient array itself (no copy).  Assigning
        an array wraps it in a Tensor; assigning one of another shape raises."""

        def __get__(self):
            return self._grad

        def __set__(self, value):
            if _recorder is not None:
                _recorder.grad_assigned(self, value)
            if value is None:
                self._grad = None
                return
            if not isinstance(value, TensorBase):
                if not hasattr(value, "shape") or not hasattr(value, "dtype"):
                    raise TypeError(f"grad: assigned grad must be a Tensor, an array or None, "
                                    f"got {type(value).__name__}")
                value = new_tensor(value, False, None)
            shape = (<TensorBase>value)._data.shape
            if tuple(shape) != tuple(self._data.shape):
                raise RuntimeError(f"grad: assigned grad has shape {tuple(shape)}, but the tensor has "
                                   f"shape {tuple(self._data.shape)}")
            self._grad = value


def set_anomaly_active(bint active):
    """Called by anomaly.py: whether any thread has anomaly detection on."""
    global _anomaly_active
    _anomaly_active = active


def set_tensor_type(cls):
    """Tell the core which class new tensors are (fastgrad.Tensor)."""
    global _tensor_type
    if not (isinstance(cls, type) and issubclass(cls, TensorBase)):
        raise TypeError(f"set_tensor_type: cls must be a subclass of TensorBase, got {cls!r}")
    _tensor_type = cls


cdef extern from *:
    """
    /* type.__new__(type) through the type's slot: no method lookup, no argument checks. */
    static PyObject *fg_new_instance(PyObject *type)
    {
        static PyObject *no_args = NULL;
        if (no_args == NULL && (no_args = PyTuple_New(0)) == NULL)
            return NULL;
        return ((PyTypeObject *)type)->tp_new((PyTypeObject *)type, no_args, NULL);
    }
    """
    object fg_new_instance(object type)


cpdef new_tensor(data, bint requires_grad, node):
    """Wrap an array without checks (the fast path used by every op)."""
    cdef TensorBase t = <TensorBase>fg_new_instance(_tensor_type)
    t._data = data
    t._grad = None
    t._requires_grad = requires_grad
    t._node = node
    t._version = [0]
    t._hooks = None
    return t


cdef class Context:
    """A node of the graph: one call of a Primitive, and what its backward needs.

    Forward rules may set any attribute on it (ctx.axis = ...)."""

    cdef public object fn          # the Primitive subclass
    cdef public object backend     # the backend chosen for the forward
    cdef public list parents       # per forward argument: Context, leaf Tensor or None
    cdef public object saved_arrays
    cdef public object saved_meta  # per saved array: (source: a leaf Tensor, the Context that made it or OWN_OUTPUT; version counter; version); None: all constants
    cdef public object dtype
    cdef public object shape
    cdef public object hooks
    cdef int rule                  # RULE_NONE, or the compiled rule run instead of fn's
    cdef bint exact_grads          # the compiled rule's gradients have the inputs' shapes and dtypes
    cdef dict __dict__

    def save_for_backward(self, *arrays):
        """Keep arrays for backward: inputs, the output, or any other array."""
        self.saved_arrays = arrays

    @property
    def needs_input_grad(self):
        """For each forward argument: does its gradient have to be computed?"""
        return [p is not None for p in self.parents]

    @property
    def name(self):
        return self.fn.__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name}>"


cdef class ScratchContext:
    """Stands in for Context when no graph is recorded (or a forward is reused
    inside another op's backward): attributes can be set, nothing is saved."""

    cdef dict __dict__

    def save_for_backward(self, *arrays):
        pass


# ---- compiled rules ----------------------------------------------------------
# The arithmetic primitives (x + y, x - y, x * y, x / y, -x, x ** y) are the most frequent
# ops of small-tensor code.  On NumPy arrays the engine runs them with the same
# operations as their rows in ops/elementwise.py, written here so that an op costs
# no Python frame for its forward or its backward.  A class runs its compiled rule
# only while its forward is the one it was registered with; create_graph and other
# backends use the Python rules.

cdef enum:
    RULE_NONE = 0
    RULE_ADD = 1
    RULE_SUB = 2
    RULE_MUL = 3
    RULE_DIV = 4
    RULE_NEG = 5
    RULE_POW = 6

cdef dict _RULE_CODES = {"add": RULE_ADD, "sub": RULE_SUB, "mul": RULE_MUL, "div": RULE_DIV, "neg": RULE_NEG,
                         "pow": RULE_POW}
cdef dict _compiled_rules = {}  # Primitive class -> (rule, the forward it was registered with)


def register_compiled_rule(cls, name):
    """Run `cls` with the compiled rule `name` ("add", "sub", "mul", "div", "neg", "pow"), or
    with its own Python rules again when name is None."""
    if name is None:
        _compiled_rules.pop(cls, None)
        return
    if name not in _RULE_CODES:
        raise ValueError(f"register_compiled_rule: name must be one of {sorted(_RULE_CODES)}, got {name!r}")
    _compiled_rules[cls] = (_RULE_CODES[name], cls.forward)


cdef inline int _rule_of(cls):
    entry = _compiled_rules.get(cls)
    if entry is None or cls.forward is not (<tuple>entry)[1]:
        return RULE_NONE
    return (<tuple>entry)[0]


cdef object _compiled_forward(int rule, tuple datas, Context ctx):
    # The rule's output; with a node `ctx` (its parents set), also what its backward needs:
    # x * y keeps y for x's gradient and x for y's, x / y keeps y, and x only for y's gradient.
    x = datas[0]
    if rule == RULE_NEG:
        return -x
    y = datas[1]
    if rule == RULE_POW:
        out = x ** y
        if ctx is not None:
            ctx.saved_arrays = (x, y, out)
        return out
    cx = _constant_like(x, y)
    y = _constant_like(y, x)
    x = cx
    if rule == RULE_ADD:
        return x + y
    if rule == RULE_SUB:
        return x - y
    if rule == RULE_MUL:
        if ctx is not None:
            ctx.saved_arrays = (x if ctx.parents[1] is not None else None,
                                y if ctx.parents[0] is not None else None)
        return x * y
    if ctx is not None:
        ctx.saved_arrays = (x if ctx.parents[1] is not None else None, y)
    return x / y


# A Python float meeting a float32/float64 array: NumPy converts the float to the array's
# dtype on every call, which costs more than the arithmetic on a small array.  The
# converted value is kept (read-only 0-d arrays, per dtype) and used instead, with
# exactly the same result.  Zeros (0.0 and -0.0 are equal keys), NaN and values outside
# the dtype's finite range are left to NumPy.
cdef dict _F32_CONSTANTS = {}
cdef dict _F64_CONSTANTS = {}
cdef Py_ssize_t _CONSTANTS_KEPT = 256  # per dtype; the cache starts over when full
cdef double _F32_MAX = 3.4028234663852886e38


cdef inline object _constant_like(value, other):
    if type(value) is not float or type(other) is not _ndarray:
        return value
    dtype = (<object>other).dtype
    cdef dict cache
    if dtype is _F32:
        cache = _F32_CONSTANTS
    elif dtype is _F64:
        cache = _F64_CONSTANTS
    else:
        return value
    kept = cache.get(value)
    if kept is not None:
        return kept
    cdef double v = value
    cdef double limit = _F32_MAX if dtype is _F32 else 1.7976931348623157e308
    if v == 0.0 or not (-limit <= v <= limit):
        return value
    if len(cache) >= _CONSTANTS_KEPT:
        cache.clear()
    kept = np.array(v, dtype=dtype)
    kept.flags.writeable = False
    cache[value] = kept
    return kept


cdef object _compiled_backward(Context node, g):
    cdef int rule = node.rule
    if rule == RULE_NEG:
        return -g
    parents = node.parents
    need_x = parents[0] is not None
    need_y = parents[1] is not None
    if rule == RULE_ADD:
        return (g if need_x else None, g if need_y else None)
    if rule == RULE_SUB:
        return (g if need_x else None, -g if need_y else None)
    if rule == RULE_POW:
        x, y, z = node.saved_arrays
        if need_y or (type(y) is not float and type(y) is not int):
            return node.fn.backward(node, node.backend, g)  # array exponents: the Python rule
        return (g * y * x ** (y - 1) if y != 0 else g * 0) if need_x else None, None
    x, y = node.saved_arrays
    if rule == RULE_MUL:
        return (g * y if need_x else None, g * x if need_y else None)
    return (g / y if need_x else None, -(g / y) * x / y if need_y else None)


# fastgrad.jit replays an op with the rule its eager call used (jit/tape.py).

def compiled_rule_of(cls):
    """The compiled rule `cls` runs with on NumPy arrays and numbers (0: its Python rules)."""
    return _rule_of(cls)


def compiled_forward(int rule, tuple datas, cls=None, backend=None, list parents=None):
    """A compiled rule's forward: its output (0-d results as arrays), or, given the inputs'
    `parents` (None where no gradient is needed), (output, the node compiled_backward takes)."""
    if parents is None:
        out = _compiled_forward(rule, datas, None)
        return np.asarray(out) if type(out) is not _ndarray and isinstance(out, _generic) else out
    cdef Context node = Context.__new__(Context)
    node.fn = cls
    node.backend = backend
    node.rule = rule
    node.parents = parents
    node.saved_arrays = ()
    out = _compiled_forward(rule, datas, node)
    if type(out) is not _ndarray and isinstance(out, _generic):
        raw = out
        out = np.asarray(out)
        node.saved_arrays = tuple(out if a is raw else a for a in node.saved_arrays)
    node.dtype = out.dtype
    node.shape = out.shape
    return out, node


def compiled_backward(Context node, g):
    """The compiled rule's backward of a node given to compiled_forward."""
    return _compiled_backward(node, g)


def apply_function(cls, *args, **kwargs):
    """Primitive.apply: unwrap Tensors, choose the backend once, run forward,
    and keep a Context as the output's node when a graph is recorded."""
    return _apply(cls, args, kwargs)


def unary_operator(cls):
    """A Tensor method `self -> cls.apply(self)`, compiled (operators run per op)."""
    def operator(self):
        return _apply(cls, (self,), None)
    return operator


def binary_operator(cls, promote=None, bint true_division=False):
    """A Tensor method `(self, other) -> cls.apply(self, other)`, compiled, promoting with `promote`.

    With `promote`, the operands first go through `promote(self, other)` (which returns them cast
    to the result dtype) unless _promotion_free settles that nothing changes; `true_division`:
    integers of one dtype still need promoting (to a float)."""
    return _operator(cls, promote, true_division, False)


def reflected_operator(cls, promote=None, bint true_division=False):
    """A Tensor method `(self, other) -> cls.apply(other, self)`, compiled, promoting with `promote`.

    `promote` and `true_division` are binary_operator's."""
    return _operator(cls, promote, true_division, True)


def _operator(cls, promote, bint true_division, bint reflected):
    if promote is None:
        def operator(self, other):
            return _apply(cls, (other, self) if reflected else (self, other), None)
        return operator

    def promoted_operator(self, other):
        if not _promotion_free(<TensorBase>self, other, true_division):
            self, other = promote(self, other)
        return _apply(cls, (other, self) if reflected else (self, other), None)
    return promoted_operator


cpdef bint promotion_free(x, y, bint true_division=False):
    """True when x <op> y needs no dtype promotion: the compiled operators' first check.

    x is a Tensor over a NumPy array, and y a Tensor of the same dtype object, or x is float32 or
    float64 and y a Python number, or x is int64 and y int64 or a Python int (not for true
    division, which makes a float of integers)."""
    return isinstance(x, TensorBase) and _promotion_free(<TensorBase>x, y, true_division)


cdef inline bint _promotion_free(TensorBase t, other, bint true_division):
    # The common case, settled without a Python call: two NumPy arrays of one dtype object, or a
    # float32/float64 array with a Python float or int; an int64 pair or int64 with a Python int
    # too, except for true division (which gives a float).  Everything else asks the rule.
    d = t._data
    if type(d) is not _ndarray:
        return False
    dtype = <object>cnp.PyArray_DESCR(<cnp.ndarray>d)
    if isinstance(other, TensorBase):
        od = (<TensorBase>other)._data
        if type(od) is not _ndarray or <object>cnp.PyArray_DESCR(<cnp.ndarray>od) is not dtype:
            return False
    elif type(other) is float:
        return dtype is _F32 or dtype is _F64
    elif type(other) is not int:
        return False
    return dtype is _F32 or dtype is _F64 or (dtype is _I64 and not true_division)


cdef inline object _call_forward(fwd, ctx, backend, tuple datas, dict kwargs):
    # Fixed-arity calls for the common cases: no argument tuple to build.
    cdef Py_ssize_t n = len(datas)
    if kwargs:
        return fwd(ctx, backend, *datas, **kwargs)
    if n == 1:
        return fwd(ctx, backend, datas[0])
    if n == 2:
        return fwd(ctx, backend, datas[0], datas[1])
    return fwd(ctx, backend, *datas)


def set_recorder(recorder):
    """Called by autograd/capture.py: the recorder shown every op, or None."""
    global _recorder
    _recorder = recorder


def set_profiler(profiler):
    """Called by fastgrad.profiler: shown every op and every backward step with their times, or None."""
    global _profiler
    _profiler = profiler


cdef object _apply(cls, tuple args, dict kwargs):
    if _profiler is not None:
        profiler = _profiler
        start = _perf_counter_ns()
        result = _apply_recorded(cls, args, kwargs)
        profiler.op(cls, args, result, start, _perf_counter_ns())
        return result
    return _apply_recorded(cls, args, kwargs)


cdef inline object _apply_recorded(cls, tuple args, dict kwargs):
    result = _apply_op(cls, args, kwargs)
    if _recorder is not None and _recorder.op(cls, args, kwargs, result):
        # A recorded node runs its class's backward (which the recording follows), not a compiled rule.
        if type((<TensorBase>result)._node) is Context:
            (<Context>(<TensorBase>result)._node).rule = RULE_NONE
    return result


cdef inline bint _is_plain(d):
    # A NumPy array, a Python number or None: the arguments the compiled rules take.
    tp = type(d)
    return tp is _ndarray or tp is float or tp is int or tp is bool or d is None


cdef inline bint _is_number(d):
    tp = type(d)
    return tp is float or tp is int or tp is bool


cdef bint _exact_grads(int rule, tuple datas, dtype):
    # True when the compiled rule's input gradients come out with the shape and dtype of
    # the input they belong to, so the engine need not conform them: an array operand of
    # the output's dtype, the other operand (if any) a Python number (broadcasting with a
    # scalar keeps the array's shape, and the scalar's gradient is never needed).
    if rule == RULE_POW:
        return False
    x = datas[0]
    if rule == RULE_NEG:
        return type(x) is _ndarray and (<object>x).dtype is dtype
    y = datas[1]
    if type(x) is _ndarray:
        return _is_number(y) and (<object>x).dtype is dtype
    return type(y) is _ndarray and _is_number(x) and (<object>y).dtype is dtype


cdef object _apply_op(cls, tuple args, dict kwargs):
    cdef Py_ssize_t n = len(args), i
    cdef tuple datas = PyTuple_New(n)
    cdef list parents = PyList_New(n)
    cdef bint record = False
    cdef bint plain = True  # every argument a NumPy array or a Python number
    cdef TensorBase t
    for i in range(n):
        a = args[i]
        if isinstance(a, TensorBase):
            t = <TensorBase>a
            d = t._data
            if t._requires_grad:
                record = True
                parent = a if t._node is None else t._node
            else:
                parent = None
        else:
            d = a
            parent = None
        Py_INCREF(d)
        PyTuple_SET_ITEM(datas, i, d)
        Py_INCREF(parent)
        PyList_SET_ITEM(parents, i, parent)
        if plain and not _is_plain(d):
            plain = False
    backend = NUMPY if plain else backend_for(*datas)
    cdef int rule = _rule_of(cls) if plain and not kwargs else RULE_NONE

    if not record or fg_grad_disabled:
        try:
            if rule:
                out = _compiled_forward(rule, datas, None)
            else:
                out = _call_forward(cls.forward, ScratchContext.__new__(ScratchContext), backend, datas, kwargs)
        except (ValueError, TypeError, IndexError) as e:
            raise _named(e, cls) from e
        if type(out) is not _ndarray and isinstance(out, _generic):
            out = cnp.PyArray_FROM_O(out)
        result = new_tensor(out, False, None)
        if not rule and cls.view_of is not None:  # arithmetic makes no views
            _share_version(result, args[cls.view_of])
        return result

    cdef Context ctx = Context.__new__(Context)
    ctx.fn = cls
    ctx.backend = backend
    ctx.parents = parents
    ctx.saved_arrays = ()
    ctx.rule = rule
    try:
        if rule:
            out = _compiled_forward(rule, datas, ctx)
        else:
            out = _call_forward(cls.forward, ctx, backend, datas, kwargs)
    except (ValueError, TypeError, IndexError) as e:
        raise _named(e, cls) from e
    if type(out) is not _ndarray and isinstance(out, _generic):
        raw = out
        out = cnp.PyArray_FROM_O(out)  # np.asarray: the 0-d array of the scalar
        if ctx.saved_arrays:
            # A saved 0-d output is the array returned, so create_graph can connect it.
            ctx.saved_arrays = _replaced(ctx.saved_arrays, raw, out)
    dtype = out.dtype
    if not (dtype is _F32 or dtype is _F64 or has_floating_dtype(out)):
        return new_tensor(out, False, None)
    ctx.dtype = dtype
    if rule and _exact_grads(rule, datas, dtype):
        ctx.exact_grads = True
        # The output has the array operand's shape: share its node's tuple rather than make one.
        p = parents[0] if parents[0] is not None else parents[1]
        ctx.shape = (<Context>p).shape if type(p) is Context else out.shape
    else:
        ctx.shape = out.shape
    result = new_tensor(out, True, ctx)
    if _anomaly_active and _anomaly.STATE.enabled:
        ctx.forward_trace = _anomaly.forward_trace()
    if not rule and cls.view_of is not None:
        _share_version(result, args[cls.view_of])
    if ctx.saved_arrays:
        ctx.saved_meta = _describe_saved(ctx, result, args, datas)
    return result


cdef tuple _replaced(saved, raw, out):
    # The saved arrays as a tuple, `raw` replaced by `out` (the same tuple when raw is not there).
    for s in saved:
        if s is raw:
            return tuple([out if a is raw else a for a in saved])
    return saved if type(saved) is tuple else tuple(saved)


cdef _named(Exception error, cls):
    # An error from inside a forward (often NumPy's own) with the op's name in front.
    name = cls.__name__.lower()
    message = str(error)
    if message.startswith(name) or message.split(" ", 1)[0].endswith(":"):
        return error  # already names an op
    try:
        return type(error)(f"{name}: {message}")
    except Exception:  # an exception type that takes other arguments
        return error


cdef _share_version(TensorBase out, base):
    if isinstance(base, TensorBase):
        out._version = (<TensorBase>base)._version


cpdef bint has_floating_dtype(data):
    """True when the array's dtype is real or complex floating (the dtypes gradients flow
    through); the array's own namespace answers for dtypes without NumPy's `kind`."""
    dtype = data.dtype
    if dtype is _F32 or dtype is _F64:
        return True
    kind = getattr(dtype, "kind", None)
    if kind is not None:
        return kind == "f" or kind == "c"
    return backend_for(data).xp.isdtype(dtype, ("real floating", "complex floating"))


cdef list _describe_saved(Context ctx, TensorBase out, tuple args, tuple datas):
    # For each saved array: where it sits in the graph (the leaf Tensor or the
    # Context that made it; None for constants) and its version counter then.
    # The engine checks the versions before backward and, with create_graph,
    # turns each entry back into a Tensor connected to the graph.  None when
    # every saved value is a constant (nothing to check or connect).
    cdef list meta = []
    cdef TensorBase t
    cdef Py_ssize_t i
    cdef bint any_tensor = False
    out_data = out._data
    for s in ctx.saved_arrays:
        if s is None:
            meta.append(_CONSTANT_ENTRY)
            continue
        if s is out_data:
            meta.append((OWN_OUTPUT, out._version, out._version[0]))
            any_tensor = True
            continue
        for i in range(len(args)):
            if datas[i] is s and isinstance(args[i], TensorBase):
                t = <TensorBase>args[i]
                meta.append((t if t._node is None else t._node, t._version, t._version[0]))
                any_tensor = True
                break
        else:
            meta.append(_CONSTANT_ENTRY)
    return meta if any_tensor else None


cdef tuple _CONSTANT_ENTRY = (None, None, 0)  # a saved value that is no tensor's array


class _OwnOutput:
    def __repr__(self):
        return "OWN_OUTPUT"


# The source of a saved array that is the node's own output.  Naming the node itself there would
# make the node reference itself: a cycle that keeps the node and its saved arrays alive until
# Python's cyclic collector runs, whenever a graph is dropped without a backward.
OWN_OUTPUT = _OwnOutput()


# ---- backward ---------------------------------------------------------------

def store_fresh_grad(TensorBase leaf, g, set taken):
    """The usual end of a backward for one leaf: a leaf without hooks and without a .grad
    gets the NumPy array `g` as its .grad when nothing else can reference it (not a view,
    writeable, C-contiguous, not an array the caller passed in or already stored: `taken`,
    ids, to which g's is added).  Returns False, storing nothing, in every other case
    (engine._accumulate_into_leaf handles them)."""
    if leaf._hooks or leaf._grad is not None or type(g) is not _ndarray:
        return False
    if (cnp.PyArray_BASE(<cnp.ndarray>g) != NULL or not cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>g)
            or not cnp.PyArray_ISWRITEABLE(<cnp.ndarray>g)):
        return False
    key = id(g)
    if key in taken:
        return False
    taken.add(key)
    leaf._grad = new_tensor(g, False, None)
    return True


cdef dict count_dependencies(list start, bint count_leaves):
    """For each node reachable from `start`: how many recorded edges point at it
    (and, with count_leaves, at each leaf tensor)."""
    cdef dict deps = {}
    cdef set starts = set(start) if len(start) > 1 else None
    # A stack kept at its largest size (slots at and above `top` are stale), so that
    # walking a chain does not shrink and regrow the list at every node.
    cdef list stack = list(start)
    cdef Py_ssize_t top = len(stack)
    cdef Context node
    while top:
        top -= 1
        node = <Context>stack[top]
        if node.parents is None:
            raise RuntimeError(_FREED.format(op=node.name))
        for p in node.parents:
            if type(p) is Context:
                count = deps.get(p)
                if count is None:
                    deps[p] = 1
                    # A node is walked when first reached (start nodes are walked already).
                    if starts is None or p not in starts:
                        if top < len(stack):
                            stack[top] = p
                        else:
                            stack.append(p)
                        top += 1
                else:
                    deps[p] = <Py_ssize_t>count + 1
            elif count_leaves and p is not None:
                deps[p] = deps.get(p, 0) + 1
    return deps


cdef check_versions(Context node):
    cdef Py_ssize_t i = 0
    for source, counter, version in node.saved_meta:
        if counter is not None and counter[0] != version:
            raise RuntimeError(
                f"{node.name}: one of the variables needed for gradient computation has been modified "
                f"by an in-place operation: saved tensor {i} is at version {counter[0]}, expected "
                f"version {version}")
        i += 1


cdef object run_differentiable(Context node, g, backend):
    # Run a node's backward on Tensors so that the result has a graph.
    saved = node.saved_arrays
    if saved and node.saved_meta is not None:  # (no meta: every saved value is a constant)
        tensors = []
        for arr, entry in zip(saved, node.saved_meta):
            source = entry[0]
            if source is None:
                tensors.append(arr)  # constants stay arrays or numbers
            elif source is OWN_OUTPUT:
                tensors.append(new_tensor(arr, True, node))
            elif type(source) is Context:
                tensors.append(new_tensor(arr, True, source))
            else:
                tensors.append(source)  # a leaf: the same object, so grads reach it
        node.saved_arrays = tuple(tensors)
    try:
        return node.fn.backward(node, backend, g)
    finally:
        node.saved_arrays = saved


cdef inline bint _fits(cnp.ndarray gi, dtype, shape):
    # Whether a NumPy gradient has exactly this dtype object and this shape (a tuple of ints).
    if <object>cnp.PyArray_DESCR(gi) is not dtype or type(shape) is not tuple:
        return False
    cdef Py_ssize_t i, nd = cnp.PyArray_NDIM(gi)
    if len(<tuple>shape) != nd:
        return False
    cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(gi)
    for i in range(nd):
        size = (<tuple>shape)[i]
        if type(size) is not int or <cnp.npy_intp>size != dims[i]:
            return False
    return True


cdef inline bint _same_layout(cnp.ndarray a, cnp.ndarray b):
    # Whether two arrays have the same dtype object and shape.
    cdef int nd = cnp.PyArray_NDIM(a)
    if cnp.PyArray_DESCR(a) is not cnp.PyArray_DESCR(b) or cnp.PyArray_NDIM(b) != nd:
        return False
    return nd == 0 or memcmp(cnp.PyArray_DIMS(a), cnp.PyArray_DIMS(b), nd * sizeof(cnp.npy_intp)) == 0


cdef object conform(Context node, parent, gi, backend):
    # Fit a computed gradient to the tensor it belongs to: sum it back over
    # broadcast axes (so rules may return the broadcast gradient), check the
    # shape, cast the dtype.
    if type(gi) is _ndarray:  # the usual case: a NumPy gradient that fits already, settled in C
        if type(parent) is Context:
            if _fits(<cnp.ndarray>gi, (<Context>parent).dtype, (<Context>parent).shape):
                return gi
        else:
            data = (<TensorBase>parent)._data
            if type(data) is _ndarray and _same_layout(<cnp.ndarray>gi, <cnp.ndarray>data):
                return gi
    if type(parent) is Context:
        shape = (<Context>parent).shape
        dtype = (<Context>parent).dtype
    else:
        data = (<TensorBase>parent)._data
        shape = data.shape
        dtype = data.dtype
    gshape = gi.shape
    if gshape is not shape and gshape != shape and tuple(gshape) != tuple(shape):
        if _broadcasts_to(tuple(shape), tuple(gshape)):
            from ..ops.broadcast import unbroadcast
            return conform(node, parent, unbroadcast(backend.xp, gi, shape), backend)
        raise RuntimeError(
            f"{node.name}: computed a gradient of shape {tuple(gshape)} for an input of shape "
            f"{tuple(shape)}")
    if gi.dtype is not dtype and gi.dtype != dtype:
        if hasattr(gi, "astype"):
            gi = gi.astype(dtype)
        else:
            gi = gi.__array_namespace__().astype(gi, dtype)
    return gi


cdef bint _broadcasts_to(tuple shape, tuple target):
    # True when an array of `shape` broadcasts to `target`.
    cdef Py_ssize_t extra = len(target) - len(shape)
    if extra < 0:
        return False
    for i in range(len(shape)):
        if shape[i] != 1 and shape[i] != target[extra + i]:
            return False
    return True


cdef set nodes_leading_to(list start, dict capture_nodes, set leaf_inputs):
    """The nodes reachable from `start` from which an input (a node in
    `capture_nodes` or a leaf in `leaf_inputs`) is reachable through at least
    one edge: the only ones whose backward autograd.grad needs to run."""
    cdef set needed = set()
    cdef set expanded = set()
    cdef list stack = [(n, False) for n in start]
    cdef Context node
    while stack:
        entry = stack.pop()
        node = <Context>entry[0]
        if entry[1]:  # every parent has been decided (the graph has no cycles)
            for p in node.parents:
                if (p in needed or p in capture_nodes) if type(p) is Context else (p is not None and p in leaf_inputs):
                    needed.add(node)
                    break
            continue
        if node in expanded:
            continue
        expanded.add(node)
        stack.append((node, True))
        for p in node.parents:
            if type(p) is Context and p not in expanded:
                stack.append((p, False))
    return needed


def run_nodes(list start, dict grads, dict leaf_grads, bint retain_graph, bint create_graph,
              dict capture_nodes, diff_backend, leaf_done=None, leaf_inputs=None):
    """Run the backward of every node reachable from `start`, in reverse topological order.

    `grads` holds the gradients of the start nodes; leaves' totals are added to
    `leaf_grads`.  With `leaf_done`, a leaf's total is instead popped and passed
    to `leaf_done(leaf, gradient)` as soon as its last edge has run.  Returns
    {captured input tensor: gradient} for the nodes in `capture_nodes` (used by
    autograd.grad).  With `leaf_inputs` (a set of leaves), only the nodes that
    lead to a captured node or to one of those leaves run: a captured input's
    own backward, and what lies beyond the inputs, are not run."""
    cdef dict deps = count_dependencies(start, leaf_done is not None)
    cdef set needed = None if leaf_inputs is None else nodes_leading_to(start, capture_nodes, leaf_inputs)
    # deps[node] > 0: edges still to run into a node that has no gradient yet;
    # < 0: minus that count, for a node whose partial sum waits in `grads`.  A node
    # with one consumer (most of them) goes to the ready stack with its gradient,
    # without passing through `grads`.
    for n in start:
        if n in deps:
            deps[n] = -<Py_ssize_t>deps[n]  # a start node also reached from another
    # The ready nodes and their gradients: two stacks kept at their largest size
    # (slots above `top` are None), so a chain does not resize them at every step.
    cdef list ready = []
    cdef list ready_grads = []
    for n in start:
        if n not in deps:
            ready.append(n)
            ready_grads.append(grads.pop(n))
    cdef Py_ssize_t top = len(ready)
    cdef dict captured = {}
    cdef Context node
    cdef Py_ssize_t left, i, count
    cdef list parents
    global fg_grad_disabled
    cdef int prev_disabled = fg_grad_disabled
    fg_grad_disabled = not create_graph
    try:
        while top:
            top -= 1
            node = <Context>ready[top]
            g = ready_grads[top]
            ready[top] = None
            ready_grads[top] = None
            if node.hooks:
                for hook in node.hooks:
                    replaced = hook(g)
                    if replaced is not None:
                        g = replaced
            if capture_nodes and node in capture_nodes:
                captured[capture_nodes[node]] = g
            if needed is not None and node not in needed:
                continue  # the nodes past it are not needed either, so they never become ready
            if node.saved_meta:
                check_versions(node)
            profiler = _profiler
            if profiler is not None:
                began = _perf_counter_ns()
            if create_graph:
                input_grads = run_differentiable(node, g, diff_backend)
            elif node.rule:
                input_grads = _compiled_backward(node, g)
            else:
                input_grads = node.fn.backward(node, node.backend, g)
            if profiler is not None:
                profiler.backward_step(node, g, began, _perf_counter_ns())
            g = None
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            if _anomaly_active and _anomaly.STATE.enabled:
                _anomaly.check_gradients(node, input_grads)
            parents = node.parents
            count = min(len(parents), len(<tuple>input_grads))
            for i in range(count):
                parent = parents[i]
                gi = (<tuple>input_grads)[i]
                if parent is None or gi is None:
                    continue
                if create_graph:
                    gi = conform(node, parent, gi, diff_backend)
                elif not (node.exact_grads and not node.hooks):
                    gi = conform(node, parent, gi, node.backend)
                if type(parent) is Context:
                    left = <Py_ssize_t>deps[parent]
                    if left == 1:
                        total = gi  # its only edge, or the last one into a fresh node
                    elif left > 1:
                        grads[parent] = gi
                        deps[parent] = 1 - left
                        continue
                    elif left == -1:
                        total = grads.pop(parent) + gi
                    else:
                        grads[parent] = grads[parent] + gi
                        deps[parent] = left + 1
                        continue
                    # (its count is not reset: that was its last edge, nothing reads it again)
                    if top < len(ready):
                        ready[top] = parent
                        ready_grads[top] = total
                    else:
                        ready.append(parent)
                        ready_grads.append(total)
                    top += 1
                    total = None
                else:
                    prev = leaf_grads.get(parent)
                    leaf_grads[parent] = gi if prev is None else prev + gi
                    if leaf_done is not None:
                        left = <Py_ssize_t>deps[parent] - 1
                        deps[parent] = left
                        if left == 0:
                            leaf_done(parent, leaf_grads.pop(parent))
            if not retain_graph:
                node.parents = None
                node.saved_arrays = None
                node.saved_meta = None
    finally:
        fg_grad_disabled = prev_disabled
    return captured
