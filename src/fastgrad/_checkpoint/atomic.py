"""Write a file so that readers only ever see the old or the new complete content.

The content goes to a temporary file of a unique name in the same directory
(so any number of processes may save to one path at once), which is flushed
and fsynced, then renamed over the target (atomic on POSIX and Windows), and
the directory is fsynced so the rename itself survives a power loss.  Any
exception removes the temporary file.  A process killed outright (SIGKILL)
cannot clean up: the next save to the same path removes temporary files left
by processes of this host that no longer run.
"""
import os
import secrets
import socket


def _temp_prefix(path):
    directory, base = os.path.split(os.path.abspath(path))
    return directory, f".{base}.{socket.gethostname()}."


def _open_unique_temp(directory, prefix):
    while True:
        tmp = os.path.join(directory, f"{prefix}{os.getpid()}.{secrets.token_hex(6)}.tmp")
        try:
            # Mode 0o666 less the umask, as open(path, "wb") would give the file itself.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        return tmp, os.fdopen(fd, "wb")


def _fsync_directory(directory):
    if not hasattr(os, "O_DIRECTORY"):
        return  # Windows: directories cannot be opened for fsync
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems do not support fsync on a directory
    finally:
        os.close(fd)


def _process_is_gone(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OSError):
        return False
    return False


def _remove_stale_temps(directory, prefix):
    # Temporary files of this path left by processes of this host that were killed mid-save.
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(".tmp")):
            continue
        pid = name[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and _process_is_gone(int(pid)):
            try:
                os.unlink(os.path.join(directory, name))
            except OSError:
                pass


def atomic_write(path, write):
    """Call write(binary_file) and atomically put what it wrote at `path`."""
    path = os.fspath(path)
    directory, prefix = _temp_prefix(path)
    tmp, out = _open_unique_temp(directory, prefix)
    try:
        with out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_directory(directory)
    _remove_stale_temps(directory, prefix)
