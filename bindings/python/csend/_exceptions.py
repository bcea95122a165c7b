"""The .NET exception hierarchy, each class also under its Python built-in:

    ArgumentException(ValueError)
        ArgumentNullException(ArgumentException, TypeError)
        ArgumentOutOfRangeException(ArgumentException)
    InvalidOperationException(RuntimeError)
        ObjectDisposedException(InvalidOperationException)
    SocketException(OSError)
    NotSupportedException(NotImplementedError)

The C core fills every field; csend._core only picks the class, by the
names of the core's class table (_core.ERROR_CLASSES).  __all__ is the one
list of the classes Python defines: csend's namespace, __all__ and the
classes handed to _core come from it, and a test holds it, the stub and
each class's parent to the core's table.
"""
from ._enums import SocketError

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
    """A socket operation failed.

    error_code          the SocketError number (10054 for ConnectionReset)
    socket_error_code   the SocketError member
    native_error_code   the errno (also `errno`; `strerror` is the OS text)
    bytes_transferred   bytes handed to the kernel before the failure
    """

    def __init__(self, socket_error=SocketError.SOCKET_ERROR, native_error_code=0,
                 message=None, bytes_transferred=0):
        code = SocketError(socket_error)
        if message is None:
            message = code.name
        super().__init__(native_error_code, message)
        self.message = message
        self.error_code = int(code)
        self.socket_error_code = code
        self.native_error_code = native_error_code
        self.bytes_transferred = bytes_transferred

    def __reduce__(self):
        return (type(self), (self.error_code, self.native_error_code, self.message,
                             self.bytes_transferred))
