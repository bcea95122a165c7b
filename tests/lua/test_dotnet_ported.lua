-- Tests ported from .NET's functional tests for System.Net.Sockets
-- (dotnet/runtime, src/libraries/System.Net.Sockets/tests/FunctionalTests/),
-- where Lua's surface differs from Python's: endpoints as (host, port)
-- returns and nil, receive_from's three results, option values as booleans,
-- integers and {enabled =, seconds =} tables.  Each case names its .NET test;
-- ".NET asserts" marks what the original checks.
local csend = require "csend"
local t = require "support"

local AF, ST = csend.AddressFamily, csend.SocketType
local Level, Name = csend.SocketOptionLevel, csend.SocketOptionName

local function udp(family) return csend.socket(family or AF.InterNetwork, ST.Dgram) end
local function tcp(family) return csend.socket(family or AF.InterNetwork, ST.Stream) end

case("udp_not_bound_local_ep_becomes_wildcard_on_send_to", function()
  -- LocalEndPointTest.cs: UdpSocket_WhenNotBound_LocalEPChangeToWildcardOnSendTo
  local server = udp():bind("0.0.0.0", 0)
  local client = udp()
  t.eq(client:local_endpoint(), nil, ".NET asserts null before SendTo")
  local _, port = server:local_endpoint()
  t.eq(client:send_to("\1\2\3", "127.0.0.1", port), 3, "sent")
  local host, cport = client:local_endpoint()
  t.eq(host, "0.0.0.0", ".NET asserts the wildcard after SendTo")
  local data, from, fport = server:receive_from(3)
  t.eq(data, "\1\2\3", ".NET asserts the bytes")
  t.eq(from, "127.0.0.1", "sender")
  t.eq(fport, cport, "sender's port")
  client:close()
  server:close()
end)

case("tcp_not_bound_local_ep_is_nil_until_connect", function()
  -- LocalEndPointTest.cs: TcpClientSocket_WhenNotBound_LocalEPChangeToSpecificOnConnect
  local l = t.listener()
  local c = tcp()
  t.eq(c:local_endpoint(), nil, ".NET asserts null before Connect")
  c:connect(l:local_endpoint())
  t.eq(c:local_endpoint(), "127.0.0.1", ".NET asserts the loopback after")
  local a = l:accept()
  local h1, p1 = a:remote_endpoint()
  local h2, p2 = c:local_endpoint()
  t.eq(h1 .. ":" .. p1, h2 .. ":" .. p2, ".NET asserts accepted.RemoteEndPoint == LocalEndPoint")
  for _, x in ipairs({a, c, l}) do x:close() end
end)

case("send_to_broadcast_access_denied_does_not_bind_then_enable_broadcast", function()
  -- SendTo.cs: Datagram_UDP_AccessDenied_Throws_DoesNotBind (127.255.255.255 for
  -- 255.255.255.255: the tests never leave the loopback) and
  -- EnableBroadcastTest.cs: UdpConstructor_EnableBroadcast_Configurable
  local r = udp():bind("127.255.255.255", 0)
  r:receive_timeout(5000)
  local _, port = r:local_endpoint()
  local s = udp()
  t.eq(s:enable_broadcast(), false, ".NET: false by default")
  local e = t.raises("SocketException", s.send_to, s, "hi", "127.255.255.255", port)
  t.eq(e.socket_error, "AccessDenied", ".NET asserts AccessDenied")
  t.eq(s:local_endpoint(), nil, ".NET asserts LocalEndPoint stays null")
  t.eq(s:enable_broadcast(true):enable_broadcast(), true, "set")
  t.eq(s:send_to("hi", "127.255.255.255", port), 2, "the broadcast goes out")
  t.eq((r:receive_from(8)), "hi", "and arrives on lo")
  s:close()
  r:close()
end)

case("receive_from_not_bound_is_invalid_operation_after_the_size_check", function()
  -- ReceiveFrom.cs: NotBound_Throws_InvalidOperationException, OutOfRange_Throws_...
  local s = udp()
  t.raises("InvalidOperationException", s.receive_from, s, 1)
  local e = t.raises("ArgumentOutOfRangeException", s.receive_from, s, -1)
  t.eq(e.param_name, "size", "the size is checked first")
  s:close()
  t.raises("ObjectDisposedException", s.receive_from, s, 1)
end)

case("receive_from_a_connected_tcp_socket_names_the_peer", function()
  -- ReceiveFrom.cs: ReceiveSent_TCP_Success
  local c, a = t.tcp_pair()
  t.eq(c:send("\1\2\3"), 3, "sent")
  local data, host, port = a:receive_from(3)
  local h, p = c:local_endpoint()
  t.eq(data, "\1\2\3", ".NET asserts the bytes")
  t.eq(host .. ":" .. port, h .. ":" .. p, "the peer")
  c:close()
  a:close()
end)

case("options_booleans_integers_and_linger_tables", function()
  -- KeepAliveTest.cs: Socket_KeepAlive_Disabled_By_Default, Socket_KeepAlive_Enable,
  -- Socket_KeepAlive_Time; LingerStateTest.cs: Socket_LingerState_Common_Boundaries_...
  local s = tcp()
  t.eq(s:get_socket_option(Level.Socket, Name.KeepAlive), 0, ".NET: KeepAlive 0 by default")
  s:set_socket_option(Level.Socket, Name.KeepAlive, true)
  t.eq(s:get_socket_option(Level.Socket, Name.KeepAlive) ~= 0, true, "enabled")
  s:set_socket_option(Level.Tcp, Name.TcpKeepAliveTime, 5)
  t.eq(s:get_socket_option(Level.Tcp, Name.TcpKeepAliveTime), 5, ".NET asserts 5")
  local l = s:linger_state()
  t.eq(l.enabled, false, ".NET: linger off by default")
  t.eq(l.seconds, 0, ".NET: 0 seconds")
  for _, bad in ipairs({-1, 65536}) do
    local e = t.raises("ArgumentException", s.linger_state, s, {enabled = true, seconds = bad})
    t.eq(e.param_name, "optionValue", ".NET asserts optionValue")
  end
  s:linger_state({enabled = true, seconds = 65535})
  l = s:get_socket_option(Level.Socket, Name.Linger)
  t.eq(l.enabled and l.seconds, 65535, ".NET: read back exactly")
  local e = t.raises("ArgumentNullException", s.set_socket_option, s, Level.Socket, Name.Linger, nil)
  t.eq(e.param_name, "optionValue", "null LingerOption")
  e = t.raises("ArgumentException", s.set_socket_option, s, Level.Tcp, Name.NoDelay,
               {enabled = true, seconds = 1})
  t.eq(e.param_name, "optionValue", "an object value for a name that takes none")
  e = t.raises("SocketException", s.get_socket_option, s, Level.Socket, -1)
  t.eq(e.socket_error, "ProtocolOption", ".NET: an unsupported option")
  s:close()
end)

case("properties_checks_and_families", function()
  -- ArgumentValidationTests.cs: SetTtl_OutOfRange_..., SetSendBufferSize_Negative_...,
  -- DontFragment_IPv6_Throws_NotSupported; DualModeSocketTest.cs:
  -- IPv4Constructor_DualMode_GetterReturnsFalse / _SetterThrows
  local s = udp()
  for _, bad in ipairs({-1, 256}) do
    t.eq(t.raises("ArgumentOutOfRangeException", s.ttl, s, bad).param_name, "value", "ttl")
  end
  t.eq(s:ttl(9):ttl(), 9, "Ttl_Set_Succeeds")
  t.raises("ArgumentOutOfRangeException", s.send_buffer_size, s, -1)
  t.eq(s:dual_mode(), false, "IPv4 reads false")
  t.raises("NotSupportedException", s.dual_mode, s, true)
  local six = udp(AF.InterNetworkV6)
  t.raises("NotSupportedException", six.dont_fragment, six)
  t.eq(six:dual_mode(false):dual_mode(), false, "NormalConstructor_DualModeConfgiureable")
  t.eq(six:dual_mode(true):dual_mode(), true, "and back")
  s:close()
  t.raises("ObjectDisposedException", s.ttl, s)
  t.eq(s:blocking(), true, "Blocking reads back after Dispose, as .NET")
  six:close()
end)

case("dual_mode_receive_from_gives_the_mapped_sender", function()
  -- DualModeSocketTest.cs: ReceiveFromV4BoundToAnyV6
  local server = udp(AF.InterNetworkV6):dual_mode(true):bind("::", 0)
  server:receive_timeout(5000)
  local _, port = server:local_endpoint()
  local client = udp()
  client:send_to("x", "127.0.0.1", port)
  local data, host = server:receive_from(1)
  t.eq(data, "x", "1 byte")
  t.eq(host, "::ffff:127.0.0.1", ".NET asserts the IPv4-mapped sender")
  client:close()
  server:close()
end)
