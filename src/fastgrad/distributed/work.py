"""Work: the handle an asynchronous collective returns (PyTorch's name)."""


class Work:
    """A collective in flight.  `wait()` blocks until it is done and its result is in place.

    >>> work = dist.all_reduce(grad, async_op=True)
    >>> ...                     # compute while the data moves
    >>> work.wait()
    """

    def __init__(self, request, finish=None):
        self._request = request
        self._finish = finish
        self._done = request is None
        if self._done:
            self._run_finish()

    def wait(self, timeout=None):
        """Block until the collective has finished; returns True."""
        if timeout is not None:
            raise ValueError("Work.wait: timeout is not supported by the MPI backend; pass None")
        if not self._done:
            self._request.Wait()
            self._done = True
            self._run_finish()
        return True

    def is_completed(self):
        """True once the collective has finished (its result is then in place)."""
        if not self._done and self._request.Test():
            self._done = True
            self._run_finish()
        return self._done

    def _run_finish(self):
        finish, self._finish = self._finish, None
        if finish is not None:
            finish()
