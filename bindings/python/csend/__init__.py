"""csend: .NET's Socket.Send contract (validation, blocking, timeouts,
SocketError codes) from one C core.

    >>> import csend
    >>> s = csend.Socket(csend.AddressFamily.INTER_NETWORK, csend.SocketType.STREAM)
    >>> s.connect(("127.0.0.1", 5000))                       # doctest: +SKIP
    >>> s.send(b"This is a test", 0, 14, csend.SocketFlags.NONE)  # doctest: +SKIP
    14
"""
from . import _async, _core, _exceptions
from ._enums import (AddressFamily, ProtocolType, SocketError, SocketFlags, SocketOptionLevel,
                     SocketOptionName, SocketShutdown, SocketType)
from ._exceptions import *  # noqa: F403 - the classes of _exceptions.__all__

Socket = _core.Socket
OperationFuture = _async.OperationFuture
OperationDone = _core.OperationDone
# The names the send forms had first: the same classes.
SendFuture = OperationFuture
SendDone = OperationDone
set_trace = _core.set_trace
get_trace = _core.get_trace

_core._bind({**{name: getattr(_exceptions, name) for name in _exceptions.__all__},
             "SocketError": SocketError, "AddressFamily": AddressFamily,
             "SocketType": SocketType, "ProtocolType": ProtocolType})

__version__ = _core.CORE_VERSION
__all__ = sorted([
    "AddressFamily", "OperationDone", "OperationFuture", "ProtocolType", "SendDone", "SendFuture",
    "Socket", "SocketError", "SocketFlags",
    "SocketOptionLevel",
    "SocketOptionName", "SocketShutdown",
    "SocketType", "get_trace", "set_trace", *_exceptions.__all__,
])
