from . import (ArgumentException as ArgumentException,
               ArgumentNullException as ArgumentNullException,
               ArgumentOutOfRangeException as ArgumentOutOfRangeException,
               InvalidOperationException as InvalidOperationException,
               NotSupportedException as NotSupportedException,
               ObjectDisposedException as ObjectDisposedException,
               SocketException as SocketException)

__all__ = ["ArgumentException", "ArgumentNullException", "ArgumentOutOfRangeException",
           "InvalidOperationException", "NotSupportedException", "ObjectDisposedException",
           "SocketException"]
