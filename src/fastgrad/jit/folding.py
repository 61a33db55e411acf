"""Plan lines that compute the same value at every call, computed once when the plan is made.

The gradient a backward pass starts from (the engine's ones) and what the
backward rules make of it before it meets an input (0.01 * 1.0, 1.0 / n, its
broadcast to a shape) depend on constants of the recording only.  A line is
folded when everything it reads is such a value: a Python number, a shape or
dtype, a copy of an array only the plan holds (`_cN.copy()`), or a value folded
before; and it only does arithmetic, copies, or makes a read-only view
(`_np.ndarray`, `_np.asarray`, `.flags.writeable = False`).  Its value is
computed when the plan is made, with the same calls, so it has the same bits.

A folded value is one array shared by every call, so it must never be written
or handed out: the plan folds nothing when a folded value is read by a later
line in any way but as an operand of arithmetic (which makes a new array) or
as an input of a kernel, ufunc, reduction or matmul call that does not work in
place, or when a slot holding one is read by the accumulation into `.grad` or
by the result (`escaping`); nor when a step kept as a call is handed the slot
list.
"""
import ast

import numpy as np

_VIEW_MAKERS = ("ndarray", "asarray")
# Bound callables that only read their first positional arguments (those after may be `out`), unless
# called with out= or inplace=: the number of those arguments.
_READERS = {"_kernel": 2, "_ufunc": 2, "_matmul": 2, "_reduce": 1}
_PLAIN = (int, float, bool, complex, tuple, np.dtype, np.generic, type(None))


def fold(lines, names, escaping, nslots, bind):
    """The plan's body `lines` with the folded lines replaced by reads of their values (bound with
    `bind`), or `lines` itself when nothing can be folded."""
    source = "\n".join(lines)
    try:
        body = ast.parse("def run(s):\n" + source).body[0].body
    except SyntaxError:
        return lines
    subscripted = _subscripted_s(body)
    if any(isinstance(node, ast.Name) and node.id == "s" and id(node) not in subscripted
           for stmt in body for node in ast.walk(stmt)):
        return lines  # the slot list itself is handed to a kept step, which may read any slot
    copied_only = _arrays_read_only_as_copies(body, names)
    folded = set()          # keys ("s", k) or ("name", n) holding a folded value now
    folded_statements = []  # (index, statement)
    for i, stmt in enumerate(body):
        if _foldable(stmt, folded, names, copied_only):
            folded_statements.append((i, stmt))
            key = _target_key(stmt)
            if key is not None:
                folded.add(key)
            continue
        if not _reads_safely(stmt, folded):
            return lines
        for key in _assigned_keys(stmt):
            folded.discard(key)
    if not folded_statements:
        return lines
    folded_slots = {key[1] for _, stmt in folded_statements if (key := _target_key(stmt)) and key[0] == "s"}
    if folded_slots & set(escaping):
        return lines
    # Compute the folded lines once, in order, as the plan would; in the lines left, an operand of
    # arithmetic that is itself arithmetic on folded values (`g * 2` in `g * 2 * x`) is folded too.
    folded_at = {i for i, _ in folded_statements}
    namespace = dict(names)
    namespace["s"] = [None] * nslots
    folded = set()
    final = []  # per statement: ("folded", key, stmt) or ("kept", statement or None for unchanged)
    try:
        for i, stmt in enumerate(body):
            if i in folded_at:
                exec(compile(ast.Module([stmt], []), "<fastgrad.jit folded line>", "exec"), namespace)
                key = _target_key(stmt)
                if key is not None:
                    folded.add(key)
                final.append(("folded", key, stmt))
                continue
            final.append(("kept", _fold_operands(stmt, folded, names, copied_only, namespace, bind)))
            folded -= _assigned_keys(stmt)
    except Exception:  # left to the plan, which raises as the eager call would
        return lines
    read_later = set()  # what the lines left in the plan read
    for (kind, *rest), stmt in zip(final, body):
        if kind == "kept":
            read_later.update(_key(node) for node in ast.walk(rest[0] or stmt)
                              if isinstance(node, (ast.Subscript, ast.Name)) and isinstance(node.ctx, ast.Load))
    out = []
    line_of = _statement_lines(body)
    for i, (kind, *rest) in enumerate(final):
        if kind == "folded":
            key, stmt = rest
            if key is None or key not in read_later:
                continue  # a .flags.writeable = False done on the folded value, or a value no line reads
            value = namespace["s"][key[1]] if key[0] == "s" else namespace[key[1]]
            target = f"s[{key[1]}]" if key[0] == "s" else key[1]
            out.append(f"    {target} = {bind(value, 'folded')}  # folded: {ast.unparse(stmt.value)}")
        elif rest[0] is not None:
            out.append("    " + ast.unparse(rest[0]))
        else:
            first, last = line_of[i]
            out.extend(lines[first:last + 1])
    return out


def _fold_operands(stmt, folded, names, copied_only, namespace, bind):
    """`stmt` with each operand of arithmetic that is arithmetic on folded values replaced by its value
    (computed now), or None when there is none."""
    if not isinstance(stmt, ast.Assign):
        return None
    changed = []

    class Operands(ast.NodeTransformer):
        def visit_BinOp(self, node):
            for side in ("left", "right"):
                child = getattr(node, side)
                if isinstance(child, (ast.BinOp, ast.UnaryOp)) and _constant_expr(child, folded, names, copied_only):
                    value = eval(compile(ast.Expression(child), "<fastgrad.jit folded operand>", "eval"), namespace)
                    setattr(node, side, ast.Name(bind(value, "folded"), ast.Load()))
                    changed.append(ast.unparse(child))
            self.generic_visit(node)
            return node

    new = Operands().visit(ast.parse(ast.unparse(stmt)).body[0])
    if not changed:
        return None
    new.end_lineno = None
    return new


def _subscripted_s(body):
    """The `s` names read as `s[...]`."""
    return {id(node.value) for stmt in body for node in ast.walk(stmt)
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)}


def _statement_lines(body):
    """Per top-level statement, its first and last line in the body (0-based, after the def line)."""
    return [(stmt.lineno - 2, stmt.end_lineno - 2) for stmt in body]


def _arrays_read_only_as_copies(body, names):
    """Names bound to arrays that the body reads only as `name.copy()` (arrays only the plan holds)."""
    receivers = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "copy"
                    and isinstance(node.func.value, ast.Name) and not node.args and not node.keywords):
                receivers.add(id(node.func.value))
    copied, other = set(), set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Name) and isinstance(names.get(node.id), np.ndarray):
                (copied if id(node) in receivers else other).add(node.id)
    return copied - other


def _plain(value):
    """A value no one can change: a number, a dtype, a NumPy scalar, None, a tuple of these."""
    if type(value) is tuple:
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN) and not isinstance(value, np.ndarray)


def _key(node):
    """("s", k) for `s[k]`, ("name", n) for a local name, else None."""
    if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "s"
            and isinstance(node.slice, ast.Constant) and type(node.slice.value) is int):
        return ("s", node.slice.value)
    if isinstance(node, ast.Name) and not node.id.startswith("_") and node.id != "s":
        return ("name", node.id)
    return None


def _target_key(stmt):
    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
        return _key(stmt.targets[0])
    return None


def _assigned_keys(stmt):
    keys = set()
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Subscript, ast.Name)) and isinstance(node.ctx, ast.Store):
            key = _key(node)
            if key is not None:
                keys.add(key)
    return keys


def _foldable(stmt, folded, names, copied_only):
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return False
    target = stmt.targets[0]
    if _key(target) is None:
        # `view.flags.writeable = False` on a folded view
        return (isinstance(target, ast.Attribute) and target.attr == "writeable"
                and isinstance(target.value, ast.Attribute) and target.value.attr == "flags"
                and _key(target.value.value) in folded and isinstance(stmt.value, ast.Constant)
                and stmt.value.value is False)
    return _constant_expr(stmt.value, folded, names, copied_only)


def _constant_expr(node, folded, names, copied_only):
    if isinstance(node, ast.Constant):
        return True
    key = _key(node)
    if key is not None:
        return key in folded
    if isinstance(node, ast.Name):
        return node.id in names and _plain(names[node.id])
    if isinstance(node, ast.BinOp):
        return (_constant_expr(node.left, folded, names, copied_only)
                and _constant_expr(node.right, folded, names, copied_only))
    if isinstance(node, ast.UnaryOp):
        return _constant_expr(node.operand, folded, names, copied_only)
    if isinstance(node, ast.Tuple):
        return all(_constant_expr(e, folded, names, copied_only) for e in node.elts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
        func = node.func
        if func.attr == "copy" and not node.args and isinstance(func.value, ast.Name):
            return func.value.id in copied_only
        if (func.attr in _VIEW_MAKERS and isinstance(func.value, ast.Name) and func.value.id == "_np"
                and names.get("_np") is np):
            return all(_constant_expr(a, folded, names, copied_only) for a in node.args)
    return False


def _reads_safely(stmt, folded):
    """True when `stmt` reads folded values only as operands of arithmetic or inputs of read-only calls."""
    if isinstance(stmt, ast.AugAssign) and _key(stmt.target) in folded:
        return False  # an in-place update
    safe = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.BinOp):
            safe.update((id(node.left), id(node.right)))
        elif isinstance(node, ast.UnaryOp):
            safe.add(id(node.operand))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and not any(k.arg in ("inplace", "out") for k in node.keywords)):
            read = _READERS.get(node.func.id.rstrip("0123456789"), 0)
            safe.update(id(a) for a in node.args[:read])
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Subscript, ast.Name)) and isinstance(node.ctx, ast.Load):
            if _key(node) in folded and id(node) not in safe:
                return False
    return True
