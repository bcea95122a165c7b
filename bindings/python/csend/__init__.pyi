"""Type stubs for csend (the C extension csend._core and its Python layer)."""
import enum
from typing import Callable, Optional, Sequence, Tuple, Union

from typing_extensions import Buffer as _Buffer  # PEP 688; collections.abc.Buffer on 3.12+

_Int = int
_Endpoint = Union[Tuple[str, int], Tuple[str, int, int, int], str]

__version__: str

class SocketError(enum.IntEnum):
    SUCCESS: int
    SOCKET_ERROR: int
    INTERRUPTED: int
    ACCESS_DENIED: int
    FAULT: int
    INVALID_ARGUMENT: int
    TOO_MANY_OPEN_SOCKETS: int
    WOULD_BLOCK: int
    IN_PROGRESS: int
    ALREADY_IN_PROGRESS: int
    NOT_SOCKET: int
    DESTINATION_ADDRESS_REQUIRED: int
    MESSAGE_SIZE: int
    PROTOCOL_TYPE: int
    PROTOCOL_OPTION: int
    PROTOCOL_NOT_SUPPORTED: int
    SOCKET_NOT_SUPPORTED: int
    OPERATION_NOT_SUPPORTED: int
    PROTOCOL_FAMILY_NOT_SUPPORTED: int
    ADDRESS_FAMILY_NOT_SUPPORTED: int
    ADDRESS_ALREADY_IN_USE: int
    ADDRESS_NOT_AVAILABLE: int
    NETWORK_DOWN: int
    NETWORK_UNREACHABLE: int
    NETWORK_RESET: int
    CONNECTION_ABORTED: int
    CONNECTION_RESET: int
    NO_BUFFER_SPACE_AVAILABLE: int
    IS_CONNECTED: int
    NOT_CONNECTED: int
    SHUTDOWN: int
    TIMED_OUT: int
    CONNECTION_REFUSED: int
    HOST_DOWN: int
    HOST_UNREACHABLE: int
    PROCESS_LIMIT: int
    SYSTEM_NOT_READY: int
    VERSION_NOT_SUPPORTED: int
    NOT_INITIALIZED: int
    DISCONNECTING: int
    TYPE_NOT_FOUND: int
    HOST_NOT_FOUND: int
    TRY_AGAIN: int
    NO_RECOVERY: int
    NO_DATA: int
    IO_PENDING: int
    OPERATION_ABORTED: int

class SocketFlags(enum.IntFlag):
    OUT_OF_BAND: int
    PEEK: int
    DONT_ROUTE: int
    MAX_IO_VECTOR_LENGTH: int
    TRUNCATED: int
    CONTROL_DATA_TRUNCATED: int
    BROADCAST: int
    MULTICAST: int
    PARTIAL: int

class AddressFamily(enum.IntEnum):
    UNSPECIFIED: int
    UNIX: int
    INTER_NETWORK: int
    INTER_NETWORK_V6: int

class SocketType(enum.IntEnum):
    STREAM: int
    DGRAM: int
    RAW: int
    SEQPACKET: int

class ProtocolType(enum.IntEnum):
    UNSPECIFIED: int
    TCP: int
    UDP: int

class SocketOptionLevel(enum.IntEnum):
    IP: int
    TCP: int
    UDP: int
    IPV6: int
    SOCKET: int

class SocketOptionName(enum.IntEnum):
    DEBUG: int
    ACCEPT_CONNECTION: int
    REUSE_ADDRESS: int
    KEEP_ALIVE: int
    DONT_ROUTE: int
    BROADCAST: int
    USE_LOOPBACK: int
    LINGER: int
    OUT_OF_BAND_INLINE: int
    DONT_LINGER: int
    EXCLUSIVE_ADDRESS_USE: int
    SEND_BUFFER: int
    RECEIVE_BUFFER: int
    SEND_LOW_WATER: int
    RECEIVE_LOW_WATER: int
    SEND_TIMEOUT: int
    RECEIVE_TIMEOUT: int
    ERROR: int
    TYPE: int
    REUSE_UNICAST_PORT: int
    MAX_CONNECTIONS: int
    IP_OPTIONS: int
    HEADER_INCLUDED: int
    TYPE_OF_SERVICE: int
    IP_TIME_TO_LIVE: int
    MULTICAST_INTERFACE: int
    MULTICAST_TIME_TO_LIVE: int
    MULTICAST_LOOPBACK: int
    ADD_MEMBERSHIP: int
    DROP_MEMBERSHIP: int
    DONT_FRAGMENT: int
    ADD_SOURCE_MEMBERSHIP: int
    DROP_SOURCE_MEMBERSHIP: int
    BLOCK_SOURCE: int
    UNBLOCK_SOURCE: int
    PACKET_INFORMATION: int
    HOP_LIMIT: int
    IP_PROTECTION_LEVEL: int
    IPV6_ONLY: int
    NO_DELAY: int
    BSD_URGENT: int
    EXPEDITED: int
    TCP_KEEP_ALIVE_TIME: int
    FAST_OPEN: int
    TCP_KEEP_ALIVE_RETRY_COUNT: int
    TCP_KEEP_ALIVE_INTERVAL: int
    NO_CHECKSUM: int
    CHECKSUM_COVERAGE: int
    UPDATE_ACCEPT_CONTEXT: int
    UPDATE_CONNECT_CONTEXT: int

class SocketShutdown(enum.IntEnum):
    RECEIVE: int
    SEND: int
    BOTH: int

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
    def __init__(self, socket_error: int = ..., native_error_code: int = ...,
                 message: Optional[str] = ..., bytes_transferred: int = ...) -> None: ...

class Socket:
    def __init__(self, family: int = ..., type: int = ..., proto: int = ...) -> None: ...
    @classmethod
    def from_fd(cls, fd: int) -> "Socket": ...
    @classmethod
    def from_socket(cls, sock: object) -> "Socket": ...
    def send(self, buffer: Optional[_Buffer], offset: _Int = ..., size: _Int = ...,
             flags: _Int = ...) -> int: ...
    def try_send(self, buffer: Optional[_Buffer], offset: _Int = ..., size: _Int = ...,
                 flags: _Int = ...) -> Tuple[int, SocketError]: ...
    def send_to(self, buffer: Optional[_Buffer], *args: object, **kwargs: object) -> int: ...
    def send_segments(self, buffers: Optional[Sequence[_Buffer]], flags: _Int = ...) -> int: ...
    def receive(self, buffer: Optional[_Buffer], offset: _Int = ..., size: _Int = ...,
                flags: _Int = ...) -> int: ...
    def receive_from(self, buffer: Optional[_Buffer], offset: _Int = ..., size: _Int = ...,
                     flags: _Int = ...) -> Tuple[int, Optional[_Endpoint]]: ...
    def set_socket_option(self, level: int, name: int,
                          value: Union[int, bool, Tuple[bool, int], None]) -> None: ...
    def get_socket_option(self, level: int, name: int) -> Union[int, Tuple[bool, int]]: ...
    def connect(self, remote_ep: _Endpoint) -> None: ...
    def bind(self, local_ep: _Endpoint) -> None: ...
    def listen(self, backlog: int = ...) -> None: ...
    def accept(self) -> "Socket": ...
    def shutdown(self, how: int) -> None: ...
    def close(self) -> None: ...
    def fileno(self) -> int: ...
    def __enter__(self) -> "Socket": ...
    def __exit__(self, *args: object) -> bool: ...
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
    linger_state: Tuple[bool, int]
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
    def family(self) -> int: ...
    @property
    def type(self) -> int: ...
    @property
    def proto(self) -> int: ...

def set_trace(enabled: bool = ..., callback: Optional[Callable[[str], object]] = ...) -> None: ...
def get_trace() -> bool: ...
