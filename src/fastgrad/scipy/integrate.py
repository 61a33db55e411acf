"""scipy.integrate under fastgrad.scipy: SciPy's own functions.  odeint has no
gradient in fastgrad yet; calling it on a Tensor being differentiated raises."""
import scipy.integrate as _si


def __getattr__(name):
    return getattr(_si, name)
