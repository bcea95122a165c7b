"""SocketError, SocketFlags, AddressFamily, SocketType, ProtocolType,
SocketOptionLevel, SocketOptionName and SocketShutdown with .NET's names and
values, read from the C core's tables."""
import enum

from . import _core

SocketError = enum.IntEnum("SocketError", [(u, v) for _, u, v in _core.SOCKET_ERRORS],
                           module="csend")
SocketError.__doc__ = "System.Net.Sockets.SocketError: the Windows Sockets codes .NET documents."

SocketFlags = enum.IntFlag("SocketFlags", [(u, v) for _, u, v in _core.SOCKET_FLAGS],
                           module="csend")
SocketFlags.__doc__ = "System.Net.Sockets.SocketFlags; Send accepts NONE, OUT_OF_BAND, DONT_ROUTE."

AddressFamily = enum.IntEnum("AddressFamily", [(u, v) for _, u, v in _core.ADDRESS_FAMILIES],
                             module="csend")
AddressFamily.__doc__ = ("System.Net.Sockets.AddressFamily (.NET's numbers; the stdlib's socket.AF_* "
                         "are accepted too).")
SocketType = enum.IntEnum("SocketType", [(u, v) for _, u, v in _core.SOCKET_TYPES],
                          module="csend")
SocketType.__doc__ = "System.Net.Sockets.SocketType."
ProtocolType = enum.IntEnum("ProtocolType", [(u, v) for _, u, v in _core.PROTOCOL_TYPES],
                            module="csend")
ProtocolType.__doc__ = "System.Net.Sockets.ProtocolType."

SocketOptionLevel = enum.IntEnum("SocketOptionLevel", [(u, v) for _, u, v in _core.OPTION_LEVELS],
                                 module="csend")
SocketOptionLevel.__doc__ = "System.Net.Sockets.SocketOptionLevel."
# As in .NET, names of different levels share numbers (NO_DELAY and DEBUG are
# both 1): the later names are aliases of the first.
SocketOptionName = enum.IntEnum("SocketOptionName", [(u, v) for _, u, v in _core.OPTION_NAMES],
                                module="csend")
SocketOptionName.__doc__ = "System.Net.Sockets.SocketOptionName (numbers repeat across levels)."


class SocketShutdown(enum.IntEnum):
    """System.Net.Sockets.SocketShutdown."""
    __module__ = "csend"
    RECEIVE = 0
    SEND = 1
    BOTH = 2
