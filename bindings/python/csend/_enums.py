"""SocketError, SocketFlags, AddressFamily, SocketType, ProtocolType,
SocketOptionLevel, SocketOptionName and SocketShutdown with .NET's names and
values, read from the C core's tables."""
import enum

from . import _core


class _EnumType(enum.EnumType):
    """EnumType, with class attribute lookups at a plain class's cost.

    CPython 3.11's EnumType.__getattr__ sends every lookup on an enum class
    through a Python-level hook: `SocketFlags.NONE` in the call .NET code
    ports to, s.send(buf, 0, len(buf), SocketFlags.NONE), cost more than the
    send.  Every member of csend's enums (aliases included) sits in its class
    dict, so dropping the hook finds the same objects; a missing name is
    still AttributeError.  Python 3.12 dropped the hook itself."""


if "__getattr__" in vars(enum.EnumType):
    _core._plain_getattr(_EnumType)


def _enum(name, base, rows, doc):
    body = _EnumType.__prepare__(name, (base,))
    body["__module__"] = "csend"
    body["__qualname__"] = name
    body["__doc__"] = doc
    for _, upper, value in rows:
        body[upper] = value
    return _EnumType(name, (base,), body)


SocketError = _enum("SocketError", enum.IntEnum, _core.SOCKET_ERRORS,
                    "System.Net.Sockets.SocketError: the Windows Sockets codes .NET documents.")
SocketFlags = _enum("SocketFlags", enum.IntFlag, _core.SOCKET_FLAGS,
                    "System.Net.Sockets.SocketFlags; Send accepts NONE, OUT_OF_BAND, DONT_ROUTE.")
AddressFamily = _enum("AddressFamily", enum.IntEnum, _core.ADDRESS_FAMILIES,
                      "System.Net.Sockets.AddressFamily (.NET's numbers; the stdlib's "
                      "socket.AF_* are accepted too).")
SocketType = _enum("SocketType", enum.IntEnum, _core.SOCKET_TYPES,
                   "System.Net.Sockets.SocketType.")
ProtocolType = _enum("ProtocolType", enum.IntEnum, _core.PROTOCOL_TYPES,
                     "System.Net.Sockets.ProtocolType.")
SocketOptionLevel = _enum("SocketOptionLevel", enum.IntEnum, _core.OPTION_LEVELS,
                          "System.Net.Sockets.SocketOptionLevel.")
# As in .NET, names of different levels share numbers (NO_DELAY and DEBUG are
# both 1): the later names are aliases of the first.
SocketOptionName = _enum("SocketOptionName", enum.IntEnum, _core.OPTION_NAMES,
                         "System.Net.Sockets.SocketOptionName (numbers repeat across levels).")
SocketShutdown = _enum("SocketShutdown", enum.IntEnum,
                       [("Receive", "RECEIVE", 0), ("Send", "SEND", 1), ("Both", "BOTH", 2)],
                       "System.Net.Sockets.SocketShutdown.")
