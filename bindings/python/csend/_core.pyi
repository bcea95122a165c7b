"""csend._core, the C extension. csend re-exports what users need."""
from typing import Any, Callable, Mapping, Optional, Tuple

from . import Socket as Socket

# The core's tables: (.NET name, Python name, value).
_Rows = list[Tuple[str, str, int]]
SOCKET_ERRORS: _Rows
SOCKET_FLAGS: _Rows
ADDRESS_FAMILIES: _Rows
SOCKET_TYPES: _Rows
PROTOCOL_TYPES: _Rows
OPTION_LEVELS: _Rows
OPTION_NAMES: _Rows
# (class, parent or None, error kind)
ERROR_CLASSES: list[Tuple[str, Optional[str], int]]
CORE_VERSION: str

def set_trace(enabled: bool = ..., callback: Optional[Callable[[str], object]] = ...) -> None: ...
def get_trace() -> bool: ...
def _bind(classes: Mapping[str, Any], /) -> None: ...
def _lines(sock: Any, /) -> list[Any]: ...
def _bind_async(reserve: Callable[..., Any], attach: Callable[..., Any],
                drop: Callable[..., Any], front: Callable[..., Any], resume: Callable[..., Any],
                abandon: Callable[..., Any], get_running_loop: Callable[[], Any], /) -> None: ...
