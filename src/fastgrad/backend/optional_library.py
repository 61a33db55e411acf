"""The shared way of choosing an optional native library found at run time (MKL, oneDNN).

A library is asked for by name ("mkl", "onednn": RuntimeError when it cannot be
used) or by "auto" (then its absence quietly selects the fallback), and the
choice comes from a setter, else an environment variable, else "auto".
"""
import os
import warnings


def choose_library(op, name, choices, library, fallback, find, missing_reason, load, activate):
    """What each setter does with `name`, one of `choices`: "auto" or `library` loads the library
    (find() its path, load(path), then activate(library, path)); `fallback`, or "auto" when the
    library cannot be used, gives activate(fallback, why).  Asked for by name, a library that
    cannot be used raises RuntimeError naming `op`.  Returns the choice in effect."""
    if name not in choices:
        raise ValueError(f"{op}: argument 'name' must be one of {choices}, got {name!r}")
    if name == fallback:
        return activate(fallback, "chosen")
    return load_or_fall_back(f"{op}('{library}')", name == library, find(), missing_reason, load,
                             lambda path: activate(library, path), lambda reason: activate(fallback, reason))


def load_or_fall_back(op, forced, path, missing_reason, load, use, fall_back):
    """use(path) once load(path) succeeded; otherwise fall_back(reason) (what either returns
    is returned), raising RuntimeError naming `op` when the library was asked for by name
    (`forced`)."""
    if path is None:
        chosen = fall_back(missing_reason)
        if forced:
            raise RuntimeError(f"{op}: {missing_reason}")
        return chosen
    try:
        load(path)
    except OSError as e:
        chosen = fall_back(str(e))
        if forced:
            raise RuntimeError(f"{op}: {e}") from e
        return chosen
    return use(path)


def active_or_from_environment(state, env_var, choices, choose, fallback_text):
    """state["active"]; before any choice, choose(the value of env_var, default "auto") first,
    warning and using "auto" for a bad value, and warning when the named library cannot be used."""
    if state["active"] is None:
        requested = os.environ.get(env_var, "auto").strip().lower() or "auto"
        if requested not in choices:
            warnings.warn(f"{env_var}={requested!r} is not one of {choices}; using 'auto'", RuntimeWarning,
                          stacklevel=4)
            requested = "auto"
        try:
            choose(requested)
        except RuntimeError as e:
            warnings.warn(f"{env_var}={requested}: {e}; {fallback_text}", RuntimeWarning, stacklevel=4)
    return state["active"]
