"""The .NET exception hierarchy, each class also under its Python built-in:

    ArgumentException(ValueError)
        ArgumentNullException(ArgumentException, TypeError)
        ArgumentOutOfRangeException(ArgumentException)
    InvalidOperationException(RuntimeError)
        ObjectDisposedException(InvalidOperationException)
    SocketException(OSError), and per SocketError also TimeoutError,
        BlockingIOError, ConnectionResetError, ... (see SocketException)
    NotSupportedException(NotImplementedError)

The C core fills every field; csend._core only picks the class, by the
names of the core's class table (_core.ERROR_CLASSES).  __all__ is the one
list of the classes Python defines: csend's namespace, __all__ and the
classes handed to _core come from it, and a test holds it, the stub and
each class's parent to the core's table.
"""
import os

from . import _core
from ._enums import SocketError

# "TimedOut" for 10060: .NET's spelling, as messages and traces use it.
_DOTNET_NAME = {value: name for name, _, value in _core.SOCKET_ERRORS}

__all__ = ["ArgumentException", "ArgumentNullException", "ArgumentOutOfRangeException",
           "InvalidOperationException", "NotSupportedException", "ObjectDisposedException",
           "SocketException"]


class ArgumentException(ValueError):
    """An argument is not valid. `param_name` names it as .NET does."""

    def __init__(self, message="Value does not fall within the expected range.",
                 param_name=None):
        super().__init__(message)
        self.message = message
        self.param_name = param_name


class ArgumentNullException(ArgumentException, TypeError):
    """A required argument is None."""


class ArgumentOutOfRangeException(ArgumentException):
    """An argument is outside its range; `actual_value` is what was given."""

    def __init__(self, message="Specified argument was out of the range of valid values.",
                 param_name=None, actual_value=None):
        super().__init__(message, param_name)
        self.actual_value = actual_value


class InvalidOperationException(RuntimeError):
    """The call is not valid in the object's current state."""

    def __init__(self, message="Operation is not valid due to the current state of the object."):
        super().__init__(message)
        self.message = message


class NotSupportedException(NotImplementedError):
    """The socket's kind has no such feature (ttl on a Unix-domain socket)."""

    def __init__(self, message="Specified method is not supported."):
        super().__init__(message)
        self.message = message


class ObjectDisposedException(InvalidOperationException):
    """The socket was closed. `object_name` is 'csend.Socket'."""

    def __init__(self, message="Cannot access a disposed object.", object_name=None):
        super().__init__(message)
        self.object_name = object_name


class SocketException(OSError):
    """System.Net.Sockets.SocketException: a socket operation failed.

    error_code          the SocketError number (10054 for ConnectionReset)
    socket_error_code   the SocketError member
    native_error_code   the errno (also `errno`; `strerror` is the OS text)
    bytes_transferred   bytes handed to the kernel before the failure

    An instance is also the stdlib exception its SocketError means, as
    CPython's socket raises them: TimedOut is a TimeoutError, WouldBlock a
    BlockingIOError, ConnectionReset a ConnectionResetError, and so on
    (`except TimeoutError` catches it).
    """

    def __new__(cls, *args, **kwargs):
        if cls is SocketException:
            code = args[0] if args else kwargs.get("socket_error", SocketError.SOCKET_ERROR)
            if isinstance(code, int):
                cls = _STDLIB_KIND.get(int(code), cls)
        # The fields are set by __init__ (a subclass may take other arguments).
        return super().__new__(cls)

    def __init__(self, socket_error=SocketError.SOCKET_ERROR, native_error_code=0,
                 message=None, bytes_transferred=0):
        if not isinstance(socket_error, int):
            raise TypeError(f"socket_error must be a SocketError or an int, not "
                            f"{type(socket_error).__name__}")
        code = SocketError(socket_error)
        message = _default_message(code, native_error_code, message)
        super().__init__(native_error_code, message)
        # OSError takes errno and strerror from __new__'s arguments; set them
        # here, where the arguments are known.
        self.errno = native_error_code
        self.strerror = message
        self.args = (native_error_code, message)
        self.message = message
        self.error_code = int(code)
        self.socket_error_code = code
        self.native_error_code = native_error_code
        self.bytes_transferred = bytes_transferred
        if isinstance(self, BlockingIOError):
            self.characters_written = bytes_transferred

    def __str__(self):
        where = f"{_DOTNET_NAME.get(self.error_code, self.error_code)} {self.error_code}"
        if self.bytes_transferred:
            where += f"; {self.bytes_transferred} bytes sent"
        if self.native_error_code:
            return f"[Errno {self.native_error_code}] {self.message} ({where})"
        return f"{self.message} ({where})"

    def __repr__(self):
        return (f"csend.SocketException(SocketError.{self.socket_error_code.name}, "
                f"native_error_code={self.native_error_code}, message={self.message!r}, "
                f"bytes_transferred={self.bytes_transferred})")

    def __reduce__(self):
        # csend's own kinds go through SocketException, whose __new__ picks
        # the kind again; a user's subclass is itself.  The instance dict
        # (notes, attributes added later) comes along.
        cls = SocketException if type(self).__module__ == "csend" else type(self)
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("message", "error_code", "socket_error_code",
                              "native_error_code", "bytes_transferred", "characters_written")}
        return (cls, (self.error_code, self.native_error_code, self.message,
                      self.bytes_transferred), state or None)


def _default_message(code, native, message):
    """A message given, else the OS's text for the errno, else .NET's name."""
    if message is not None:
        return message
    if native:
        return os.strerror(native)
    return _DOTNET_NAME.get(int(code), str(int(code)))


def _stdlib_kinds():
    """One subclass per stdlib kind; each is still named SocketException."""
    kinds = {}
    for codes, std in [((SocketError.TIMED_OUT,), TimeoutError),
                       ((SocketError.WOULD_BLOCK, SocketError.IN_PROGRESS,
                         SocketError.ALREADY_IN_PROGRESS), BlockingIOError),
                       ((SocketError.CONNECTION_RESET,), ConnectionResetError),
                       ((SocketError.CONNECTION_ABORTED,), ConnectionAbortedError),
                       ((SocketError.SHUTDOWN,), BrokenPipeError),
                       ((SocketError.CONNECTION_REFUSED,), ConnectionRefusedError),
                       ((SocketError.INTERRUPTED,), InterruptedError),
                       ((SocketError.ACCESS_DENIED,), PermissionError)]:
        cls = type("SocketException", (SocketException, std),
                   {"__module__": "csend", "__qualname__": "SocketException",
                    "__doc__": f"SocketException that is also a {std.__name__}."})
        for code in codes:
            kinds[int(code)] = cls
    return kinds


_STDLIB_KIND = _stdlib_kinds()

for _name in __all__:
    globals()[_name].__module__ = "csend"
del _name
