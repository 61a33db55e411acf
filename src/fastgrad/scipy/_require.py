"""SciPy is optional for fastgrad: fastgrad.scipy says so clearly when it is missing."""


def require_scipy():
    try:
        import scipy  # noqa: F401
    except ImportError as e:
        raise ImportError("fastgrad.scipy needs SciPy, which is not installed: pip install scipy") from e
