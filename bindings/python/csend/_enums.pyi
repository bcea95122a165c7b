from . import (AddressFamily as AddressFamily, ProtocolType as ProtocolType,
               SocketError as SocketError, SocketFlags as SocketFlags,
               SocketOptionLevel as SocketOptionLevel, SocketOptionName as SocketOptionName,
               SocketShutdown as SocketShutdown, SocketType as SocketType)
