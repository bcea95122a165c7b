"""Type stubs for csend: the C extension csend._core and its Python layer.

Every enum member is declared; the Socket methods carry .NET's overloads
(the four-argument order, the shorter forms by keyword)."""
import asyncio
import enum
import os
from contextvars import Context
from typing import (Any, Callable, Generator, Generic, Literal, Optional, Sequence, Tuple,
                    TypeVar, Union, final, overload)

from typing_extensions import Buffer as _Buffer  # PEP 688; collections.abc.Buffer on 3.12+
from typing_extensions import Self, disjoint_base

__version__: str
__all__ = ["AddressFamily", "ArgumentException", "ArgumentNullException",
           "ArgumentOutOfRangeException", "InvalidOperationException", "NotSupportedException",
           "ObjectDisposedException", "OperationDone", "OperationFuture", "ProtocolType",
           "SendDone", "SendFuture", "Socket",
           "SocketError",
           "SocketException", "SocketFlags", "SocketOptionLevel", "SocketOptionName",
           "SocketShutdown", "SocketType", "get_trace", "set_trace"]

_T = TypeVar("_T")

# What the methods take and give: a buffer (None raises
# ArgumentNullException), an optional integer (None = left out), an
# endpoint ((host, port), or a path for a Unix-domain socket).
_Buf = Optional[_Buffer]
_OptInt = Optional[int]
_Path = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
_EndpointArg = Union[Tuple[Optional[str], int], _Path, None]
_Endpoint = Union[Tuple[str, int], str]
_Linger = Tuple[bool, int]

class SocketError(enum.IntEnum):
    """System.Net.Sockets.SocketError."""
    SUCCESS = 0
    SOCKET_ERROR = -1
    INTERRUPTED = 10004
    ACCESS_DENIED = 10013
    FAULT = 10014
    INVALID_ARGUMENT = 10022
    TOO_MANY_OPEN_SOCKETS = 10024
    WOULD_BLOCK = 10035
    IN_PROGRESS = 10036
    ALREADY_IN_PROGRESS = 10037
    NOT_SOCKET = 10038
    DESTINATION_ADDRESS_REQUIRED = 10039
    MESSAGE_SIZE = 10040
    PROTOCOL_TYPE = 10041
    PROTOCOL_OPTION = 10042
    PROTOCOL_NOT_SUPPORTED = 10043
    SOCKET_NOT_SUPPORTED = 10044
    OPERATION_NOT_SUPPORTED = 10045
    PROTOCOL_FAMILY_NOT_SUPPORTED = 10046
    ADDRESS_FAMILY_NOT_SUPPORTED = 10047
    ADDRESS_ALREADY_IN_USE = 10048
    ADDRESS_NOT_AVAILABLE = 10049
    NETWORK_DOWN = 10050
    NETWORK_UNREACHABLE = 10051
    NETWORK_RESET = 10052
    CONNECTION_ABORTED = 10053
    CONNECTION_RESET = 10054
    NO_BUFFER_SPACE_AVAILABLE = 10055
    IS_CONNECTED = 10056
    NOT_CONNECTED = 10057
    SHUTDOWN = 10058
    TIMED_OUT = 10060
    CONNECTION_REFUSED = 10061
    HOST_DOWN = 10064
    HOST_UNREACHABLE = 10065
    PROCESS_LIMIT = 10067
    SYSTEM_NOT_READY = 10091
    VERSION_NOT_SUPPORTED = 10092
    NOT_INITIALIZED = 10093
    DISCONNECTING = 10101
    TYPE_NOT_FOUND = 10109
    HOST_NOT_FOUND = 11001
    TRY_AGAIN = 11002
    NO_RECOVERY = 11003
    NO_DATA = 11004
    IO_PENDING = 997
    OPERATION_ABORTED = 995

class SocketFlags(enum.IntFlag):
    """System.Net.Sockets.SocketFlags."""
    NONE = 0
    OUT_OF_BAND = 1
    PEEK = 2
    DONT_ROUTE = 4
    MAX_IO_VECTOR_LENGTH = 16
    TRUNCATED = 256
    CONTROL_DATA_TRUNCATED = 512
    BROADCAST = 1024
    MULTICAST = 2048
    PARTIAL = 32768

class AddressFamily(enum.IntEnum):
    """System.Net.Sockets.AddressFamily."""
    UNSPECIFIED = 0
    UNIX = 1
    INTER_NETWORK = 2
    INTER_NETWORK_V6 = 23

class SocketType(enum.IntEnum):
    """System.Net.Sockets.SocketType."""
    STREAM = 1
    DGRAM = 2
    RAW = 3
    SEQPACKET = 5

class ProtocolType(enum.IntEnum):
    """System.Net.Sockets.ProtocolType."""
    UNSPECIFIED = 0
    TCP = 6
    UDP = 17

class SocketOptionLevel(enum.IntEnum):
    """System.Net.Sockets.SocketOptionLevel."""
    IP = 0
    TCP = 6
    UDP = 17
    IPV6 = 41
    SOCKET = 65535

class SocketOptionName(enum.IntEnum):
    """System.Net.Sockets.SocketOptionName (numbers repeat across levels: later names are aliases)."""
    DEBUG = 1
    ACCEPT_CONNECTION = 2
    REUSE_ADDRESS = 4
    KEEP_ALIVE = 8
    DONT_ROUTE = 16
    BROADCAST = 32
    USE_LOOPBACK = 64
    LINGER = 128
    OUT_OF_BAND_INLINE = 256
    DONT_LINGER = -129
    EXCLUSIVE_ADDRESS_USE = -5
    SEND_BUFFER = 4097
    RECEIVE_BUFFER = 4098
    SEND_LOW_WATER = 4099
    RECEIVE_LOW_WATER = 4100
    SEND_TIMEOUT = 4101
    RECEIVE_TIMEOUT = 4102
    ERROR = 4103
    TYPE = 4104
    REUSE_UNICAST_PORT = 12295
    MAX_CONNECTIONS = 2147483647
    IP_OPTIONS = 1
    HEADER_INCLUDED = 2
    TYPE_OF_SERVICE = 3
    IP_TIME_TO_LIVE = 4
    MULTICAST_INTERFACE = 9
    MULTICAST_TIME_TO_LIVE = 10
    MULTICAST_LOOPBACK = 11
    ADD_MEMBERSHIP = 12
    DROP_MEMBERSHIP = 13
    DONT_FRAGMENT = 14
    ADD_SOURCE_MEMBERSHIP = 15
    DROP_SOURCE_MEMBERSHIP = 16
    BLOCK_SOURCE = 17
    UNBLOCK_SOURCE = 18
    PACKET_INFORMATION = 19
    HOP_LIMIT = 21
    IP_PROTECTION_LEVEL = 23
    IPV6_ONLY = 27
    NO_DELAY = 1
    BSD_URGENT = 2
    EXPEDITED = 2
    TCP_KEEP_ALIVE_TIME = 3
    FAST_OPEN = 15
    TCP_KEEP_ALIVE_RETRY_COUNT = 16
    TCP_KEEP_ALIVE_INTERVAL = 17
    NO_CHECKSUM = 1
    CHECKSUM_COVERAGE = 20
    UPDATE_ACCEPT_CONTEXT = 28683
    UPDATE_CONNECT_CONTEXT = 28688

class SocketShutdown(enum.IntEnum):
    """System.Net.Sockets.SocketShutdown."""
    RECEIVE = 0
    SEND = 1
    BOTH = 2

class ArgumentException(ValueError):
    message: str
    param_name: Optional[str]
    def __init__(self, message: str = ..., param_name: Optional[str] = ...) -> None: ...

class ArgumentNullException(ArgumentException, TypeError): ...

class ArgumentOutOfRangeException(ArgumentException):
    actual_value: Optional[int]
    def __init__(self, message: str = ..., param_name: Optional[str] = ...,
                 actual_value: Optional[int] = ...) -> None: ...

class InvalidOperationException(RuntimeError):
    message: str
    def __init__(self, message: str = ...) -> None: ...

class NotSupportedException(NotImplementedError):
    message: str
    def __init__(self, message: str = ...) -> None: ...

class ObjectDisposedException(InvalidOperationException):
    object_name: Optional[str]
    def __init__(self, message: str = ..., object_name: Optional[str] = ...) -> None: ...

class SocketException(OSError):
    message: str
    error_code: int
    socket_error_code: SocketError
    native_error_code: int
    bytes_transferred: int
    def __new__(cls, socket_error: int = ..., native_error_code: int = ...,
                message: Optional[str] = ..., bytes_transferred: int = ...) -> "SocketException": ...
    def __init__(self, socket_error: int = ..., native_error_code: int = ...,
                 message: Optional[str] = ..., bytes_transferred: int = ...) -> None: ...

class OperationFuture(asyncio.Future[_T]):
    """What a *_async method returns for an operation still pending when it
    was called."""
    @property
    def bytes_transferred(self) -> int: ...

@final
class OperationDone(Generic[_T]):
    """What a *_async method returns for an operation that ended within the
    call: a finished future to asyncio, awaited without a round trip."""
    @classmethod
    def __class_getitem__(cls, item: Any, /) -> Any: ...
    def __await__(self) -> Generator[Any, None, _T]: ...
    def __iter__(self) -> Generator[Any, None, _T]: ...
    def __next__(self) -> Any: ...
    def done(self) -> bool: ...
    def cancelled(self) -> bool: ...
    def cancel(self, msg: object = ...) -> bool: ...
    def result(self) -> _T: ...
    def exception(self) -> Optional[BaseException]: ...
    def get_loop(self) -> asyncio.AbstractEventLoop: ...
    def add_done_callback(self, fn: Callable[["OperationDone[_T]"], object], /, *,
                          context: Optional[Context] = ...) -> None: ...
    def remove_done_callback(self, fn: Callable[["OperationDone[_T]"], object], /) -> int: ...
    @property
    def bytes_transferred(self) -> int: ...
    @property
    def _asyncio_future_blocking(self) -> bool: ...

# The names the send forms had first: the same classes.
SendFuture = OperationFuture
SendDone = OperationDone

_Async = Union[OperationDone[_T], OperationFuture[_T]]
_SendAsync = _Async[int]

@disjoint_base
class Socket:
    def __init__(self, family: int = ..., type: int = ..., proto: int = ...) -> None: ...
    @classmethod
    def from_fd(cls, fd: int, /) -> Self: ...
    @classmethod
    def from_socket(cls, sock: object, /) -> Self: ...

    # Send(buffer), Send(buffer, socketFlags), Send(buffer, size, socketFlags),
    # Send(buffer, offset, size, socketFlags)
    @overload
    def send(self, buffer: _Buf, *, flags: _OptInt = ...) -> int: ...
    @overload
    def send(self, buffer: _Buf, *, size: _OptInt, flags: _OptInt = ...) -> int: ...
    @overload
    def send(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
             flags: _OptInt = ...) -> int: ...
    # SendAsync: the same forms, awaited (OperationDone if it ended within the
    # call, else OperationFuture)
    @overload
    def send_async(self, buffer: _Buf, *, flags: _OptInt = ...) -> _SendAsync: ...
    @overload
    def send_async(self, buffer: _Buf, *, size: _OptInt,
                   flags: _OptInt = ...) -> _SendAsync: ...
    @overload
    def send_async(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
                   flags: _OptInt = ...) -> _SendAsync: ...
    # Send(..., out SocketError): the same forms
    @overload
    def try_send(self, buffer: _Buf, *, flags: _OptInt = ...) -> Tuple[int, SocketError]: ...
    @overload
    def try_send(self, buffer: _Buf, *, size: _OptInt,
                 flags: _OptInt = ...) -> Tuple[int, SocketError]: ...
    @overload
    def try_send(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
                 flags: _OptInt = ...) -> Tuple[int, SocketError]: ...
    # SendTo(buffer, remoteEP), (buffer, socketFlags, remoteEP),
    # (buffer, size, socketFlags, remoteEP), (buffer, offset, size, socketFlags, remoteEP)
    @overload
    def send_to(self, buffer: _Buf, remote_ep: _EndpointArg, /) -> int: ...
    @overload
    def send_to(self, buffer: _Buf, flags: _OptInt, remote_ep: _EndpointArg, /) -> int: ...
    @overload
    def send_to(self, buffer: _Buf, size: _OptInt, flags: _OptInt,
                remote_ep: _EndpointArg, /) -> int: ...
    @overload
    def send_to(self, buffer: _Buf, offset: _OptInt, size: _OptInt, flags: _OptInt,
                remote_ep: _EndpointArg, /) -> int: ...
    @overload
    def send_to(self, buffer: _Buf, /, *, offset: _OptInt = ..., size: _OptInt = ...,
                flags: _OptInt = ..., remote_ep: _EndpointArg) -> int: ...
    def send_segments(self, buffers: Optional[Sequence[_Buffer]],
                      flags: _OptInt = ...) -> int: ...
    # SendToAsync: send_to's forms, awaited
    @overload
    def send_to_async(self, buffer: _Buf, remote_ep: _EndpointArg, /) -> _SendAsync: ...
    @overload
    def send_to_async(self, buffer: _Buf, flags: _OptInt, remote_ep: _EndpointArg,
                      /) -> _SendAsync: ...
    @overload
    def send_to_async(self, buffer: _Buf, size: _OptInt, flags: _OptInt,
                      remote_ep: _EndpointArg, /) -> _SendAsync: ...
    @overload
    def send_to_async(self, buffer: _Buf, offset: _OptInt, size: _OptInt, flags: _OptInt,
                      remote_ep: _EndpointArg, /) -> _SendAsync: ...
    @overload
    def send_to_async(self, buffer: _Buf, /, *, offset: _OptInt = ..., size: _OptInt = ...,
                      flags: _OptInt = ..., remote_ep: _EndpointArg) -> _SendAsync: ...
    def send_segments_async(self, buffers: Optional[Sequence[_Buffer]],
                            flags: _OptInt = ...) -> _SendAsync: ...
    # Receive(buffer), (buffer, socketFlags), (buffer, size, socketFlags),
    # (buffer, offset, size, socketFlags): buffer must be writable
    @overload
    def receive(self, buffer: _Buf, *, flags: _OptInt = ...) -> int: ...
    @overload
    def receive(self, buffer: _Buf, *, size: _OptInt, flags: _OptInt = ...) -> int: ...
    @overload
    def receive(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
                flags: _OptInt = ...) -> int: ...
    # ReceiveFrom: the same forms, with the sender
    @overload
    def receive_from(self, buffer: _Buf, *,
                     flags: _OptInt = ...) -> Tuple[int, Optional[_Endpoint]]: ...
    @overload
    def receive_from(self, buffer: _Buf, *, size: _OptInt,
                     flags: _OptInt = ...) -> Tuple[int, Optional[_Endpoint]]: ...
    @overload
    def receive_from(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
                     flags: _OptInt = ...) -> Tuple[int, Optional[_Endpoint]]: ...
    # ReceiveAsync and ReceiveFromAsync: the same forms, awaited
    @overload
    def receive_async(self, buffer: _Buf, *, flags: _OptInt = ...) -> _Async[int]: ...
    @overload
    def receive_async(self, buffer: _Buf, *, size: _OptInt,
                      flags: _OptInt = ...) -> _Async[int]: ...
    @overload
    def receive_async(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
                      flags: _OptInt = ...) -> _Async[int]: ...
    @overload
    def receive_from_async(self, buffer: _Buf, *, flags: _OptInt = ...
                           ) -> _Async[Tuple[int, Optional[_Endpoint]]]: ...
    @overload
    def receive_from_async(self, buffer: _Buf, *, size: _OptInt, flags: _OptInt = ...
                           ) -> _Async[Tuple[int, Optional[_Endpoint]]]: ...
    @overload
    def receive_from_async(self, buffer: _Buf, offset: _OptInt, size: _OptInt = ...,
                           flags: _OptInt = ...) -> _Async[Tuple[int, Optional[_Endpoint]]]: ...
    # SetSocketOption(level, name, int / bool / LingerOption)
    @overload
    def set_socket_option(self, level: int, name: int, value: int) -> None: ...
    @overload
    def set_socket_option(self, level: int, name: int, value: Optional[_Linger]) -> None: ...
    def get_socket_option(self, level: int, name: int) -> Union[int, _Linger]: ...
    def connect(self, remote_ep: _EndpointArg, /) -> None: ...
    def bind(self, local_ep: _EndpointArg, /) -> None: ...
    def listen(self, backlog: int = ..., /) -> None: ...
    def accept(self) -> "Socket": ...
    def connect_async(self, remote_ep: _EndpointArg, /) -> _Async[None]: ...
    def accept_async(self) -> _Async["Socket"]: ...
    def shutdown(self, how: int, /) -> None: ...
    def close(self) -> None: ...
    def fileno(self) -> int: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> Literal[False]: ...
    blocking: bool
    send_timeout: int
    receive_timeout: int
    no_delay: bool
    send_buffer_size: int
    receive_buffer_size: int
    ttl: int
    enable_broadcast: bool
    dont_fragment: bool
    dual_mode: bool
    linger_state: _Linger
    @property
    def available(self) -> int: ...
    @property
    def connected(self) -> bool: ...
    @property
    def closed(self) -> bool: ...
    @property
    def local_endpoint(self) -> Optional[_Endpoint]: ...
    @property
    def remote_endpoint(self) -> Optional[_Endpoint]: ...
    @property
    def family(self) -> AddressFamily: ...
    @property
    def type(self) -> SocketType: ...
    @property
    def proto(self) -> ProtocolType: ...

def set_trace(enabled: bool = ..., callback: Optional[Callable[[str], object]] = ...) -> None: ...
def get_trace() -> bool: ...
