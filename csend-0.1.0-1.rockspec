package = "csend"
version = "0.1.0-1"
source = {
   url = "git+https://example.invalid/csend.git",
   tag = "v0.1.0",
}
description = {
   summary = ".NET's Socket.Send contract (validation, blocking, timeouts, SocketError codes) for Lua",
   detailed = [[
      csend implements .NET's Socket.Send(buffer, offset, size, socketFlags) once in C:
      the same argument checks, blocking / non-blocking / timeout behaviour and SocketError
      codes, with errors raised as objects (ArgumentOutOfRangeException, SocketException, ...).
   ]],
   license = "MIT",
}
dependencies = {
   "lua >= 5.1",
}
build = {
   type = "builtin",
   modules = {
      csend = {
         sources = {
            "bindings/lua/src/module.c", "bindings/lua/src/socket.c",
            "bindings/lua/src/pending.c", "bindings/lua/src/errors.c",
            "bindings/lua/src/args.c",
            "core/src/constants.c", "core/src/error.c", "core/src/validate.c",
            "core/src/socket.c",
            "core/src/io.c", "core/src/options.c", "core/src/endpoint.c", "core/src/trace.c",
         },
         incdirs = { "core/include" },
         libraries = { "pthread" },
      },
      ["csend.co"] = "bindings/lua/csend/co.lua",
   },
}
