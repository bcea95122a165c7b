"""csend's benchmark: every contender sends to the same C sink over loopback
TCP and over a Unix-domain socket, in alternating rounds, the sender pinned
to CPU 0 and the sink to CPU 1; each figure is compared with a raw C send()
loop measured in the same round.

    python bench/run.py            # the full run: bench/results.md and .png
    python bench/run.py --smoke    # seconds: proves the harness works
"""
import argparse
import os
import pathlib
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUILD = pathlib.Path(os.environ.get("CSEND_BUILD_DIR", ROOT / "build"))
BENCH = ROOT / "bench"
ENV = dict(os.environ, LUA_CPATH=f"{BUILD / 'lua'}/?.so;;")
CBENCH = str(BUILD / "bench" / "csend_cbench")

CONTENDERS = {
    "raw C send()": [CBENCH, "raw"],
    "csend C core": [CBENCH, "core"],
    "csend Python": [sys.executable, str(BENCH / "bench_py.py"), "csend"],
    "csend Python, 4 args": [sys.executable, str(BENCH / "bench_py.py"), "csend4"],
    "csend Python, 4 args, flags in a local": [sys.executable, str(BENCH / "bench_py.py"),
                                               "csend4local"],
    "CPython socket": [sys.executable, str(BENCH / "bench_py.py"), "socket"],
    "csend send_async, asyncio": [sys.executable, str(BENCH / "bench_async.py"), "csend_async",
                                  "asyncio"],
    "loop.sock_sendall, asyncio": [sys.executable, str(BENCH / "bench_async.py"),
                                   "sock_sendall", "asyncio"],
    "csend send_async, uvloop": [sys.executable, str(BENCH / "bench_async.py"), "csend_async",
                                 "uvloop"],
    "loop.sock_sendall, uvloop": [sys.executable, str(BENCH / "bench_async.py"), "sock_sendall",
                                  "uvloop"],
    "csend send from a thread": [sys.executable, str(BENCH / "bench_async.py"), "csend_thread",
                                 "asyncio"],
    "csend Lua": ["lua5.4", str(BENCH / "bench.lua"), "csend"],
    "csend Lua, 4 args": ["lua5.4", str(BENCH / "bench.lua"), "csend4"],
    "LuaSocket": ["lua5.4", str(BENCH / "bench.lua"), "luasocket"],
    "csend LuaJIT": ["luajit", str(BENCH / "bench.lua"), "csend"],
    "csend LuaJIT, 4 args": ["luajit", str(BENCH / "bench.lua"), "csend4"],
    "LuaSocket LuaJIT": ["luajit", str(BENCH / "bench.lua"), "luasocket"],
}
# Each interpreter loads the module built for it.
LUA_CPATHS = {"lua5.4": f"{BUILD / 'lua'}/?.so;;", "luajit": f"{BUILD / 'lua' / 'luajit'}/?.so;;"}


# Counted by callgrind only, beside the contenders: the same call as "csend
# Python, 4 args" of a C method that does nothing but send (bench/floor.c),
# when its module was built. Its overhead is the interpreter's share of the
# call, which no extension can go below.
FLOOR = "floor: a C method that only sends, 4 args"
FLOORS = {FLOOR: [sys.executable, str(BENCH / "bench_py.py"), "floor4"]}


def command(name):
    return CONTENDERS[name] if name in CONTENDERS else FLOORS[name]


def env_for(name):
    return dict(ENV, LUA_CPATH=LUA_CPATHS.get(command(name)[0], ENV["LUA_CPATH"]),
                CSEND_BENCH_DIR=str(BUILD / "bench"))
RAW = "raw C send()"
GIB = 1 << 30
MIB = 1 << 20


def pinned(cpu, argv):
    return ["taskset", "-c", str(cpu), *argv] if os.cpu_count() and os.cpu_count() > 1 else argv


class Sink:
    def __init__(self, transport, where):
        self.proc = subprocess.Popen(
            pinned(1, [str(BUILD / "bench" / "csend_sink"), transport, where]),
            stdout=subprocess.PIPE, text=True)
        self.address = self.proc.stdout.readline().strip()

    def close(self):
        self.proc.terminate()
        self.proc.wait()


def run_one(name, transport, address, size, n):
    argv = pinned(0, [*CONTENDERS[name], transport, address, str(size), str(n)])
    out = subprocess.run(argv, env=env_for(name), capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{name} {transport} size={size} n={n} failed "
                         f"({out.returncode}): {out.stderr.strip()}")
    return int(out.stdout.split()[-1])


def scenario(transport, address, size, n, rounds):
    """{contender: [ns per round]}, contenders alternating in each round."""
    names = list(CONTENDERS)
    times = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            times[name].append(run_one(name, transport, address, size, n))
    return times


def spread(values, fmt):
    return f"{fmt(statistics.median(values))} ({fmt(min(values))}–{fmt(max(values))})"


def per_call_table(times, n):
    raw = [t / n for t in times[RAW]]
    rows = []
    for name, ts in times.items():
        ns = [t / n for t in ts]
        over = [a - b for a, b in zip(ns, raw)]
        ratio = [a / b for a, b in zip(ns, raw)]
        rows.append((name, spread(ns, lambda v: f"{v:.0f}"), spread(over, lambda v: f"{v:+.0f}"),
                     f"{statistics.median(ratio):.2f}"))
    return ["| contender | ns/call, median (min–max) | overhead over raw C, ns | ratio to raw C |",
            "|---|---|---|---|"] + [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]


def throughput_table(times, size, n):
    raw = [size * n / t * 1e3 for t in times[RAW]]
    rows = []
    for name, ts in times.items():
        mbs = [size * n / t * 1e3 for t in ts]
        ratio = [a / b for a, b in zip(mbs, raw)]
        rows.append((name, spread(mbs, lambda v: f"{v:.0f}"), f"{statistics.median(ratio):.3f}"))
    return ["| contender | MB/s, median (min–max) | ratio to raw C |", "|---|---|---|"] + \
        [f"| {a} | {b} | {c} |" for a, b, c in rows]


def overhead_ratio(times, ours, theirs):
    """Median over rounds of (ours − raw) / (theirs − raw)."""
    r = [(o - w) / (t - w) for o, t, w in zip(times[ours], times[theirs], times[RAW])]
    return statistics.median(r)


def throughput_ratio(times, who):
    return statistics.median([w / o for o, w in zip(times[who], times[RAW])])


def instructions(name, transport, address, size, n):
    """User-space instructions one contender executes for n sends (callgrind:
    the same count on every run, whatever else the machine does)."""
    argv = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
            *command(name), transport, address, str(size), str(n)]
    out = subprocess.run(argv, env=env_for(name), capture_output=True, text=True, timeout=900)
    found = re.search(r"Collected : (\d+)", out.stderr)
    if out.returncode != 0 or not found:
        raise SystemExit(f"callgrind run of {name} failed: {out.stderr[-2000:]}")
    return int(found.group(1))


def instructions_per_call(transport, address, size, n1, n2):
    """{contender: instructions per send}, start-up cancelled by two counts."""
    floors = [FLOOR] if list((BUILD / "bench").glob("csend_bench_floor*.so")) else []
    return {name: (instructions(name, transport, address, size, n2)
                   - instructions(name, transport, address, size, n1)) / (n2 - n1)
            for name in [*CONTENDERS, *floors]}


def instructions_table(per_call):
    raw = per_call[RAW]
    return ["| contender | instructions per send | overhead over raw C |", "|---|---|---|"] + \
        [f"| {name} | {v:.0f} | {v - raw:+.0f} |" for name, v in per_call.items()]


def peak_rss(transport, address, size):
    """Peak RSS (KiB) of a Python process sending one bytearray of `size` bytes."""
    code = f"""
import resource, socket, struct, csend
buf = bytearray(b"x") * {size}
family = socket.AF_UNIX if {transport!r} == "unix" else socket.AF_INET
s = csend.Socket(family, socket.SOCK_STREAM)
s.connect({address!r} if {transport!r} == "unix" else ("127.0.0.1", int({address!r})))
assert s.send(buf) == {size}
s.shutdown(csend.SocketShutdown.SEND)
answer = bytearray(8)
got = 0
while got < 8:
    got += s.receive(answer, got)
assert struct.unpack("<Q", bytes(answer))[0] == {size}
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run(pinned(0, [sys.executable, "-c", code]), capture_output=True,
                         text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"peak RSS run failed: {out.stderr}")
    return int(out.stdout.split()[-1])


def plot(per_call, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is missing: no plot written", file=sys.stderr)
        return
    fig, axes = plt.subplots(1, len(per_call), figsize=(6 * len(per_call), 4.5), squeeze=False)
    for ax, (transport, by_size) in zip(axes[0], per_call.items()):
        sizes = sorted(by_size)
        for name in CONTENDERS:
            ax.plot(sizes, [statistics.median(by_size[s][0][name]) / by_size[s][1] for s in sizes],
                    marker="o", label=name)
        ax.set_xscale("log", base=2)
        ax.set_xlabel("message size, bytes")
        ax.set_ylabel("ns per send (median)")
        ax.set_title(f"per-call cost over {transport}")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes and counts, one round")
    ap.add_argument("--out", type=pathlib.Path, default=BENCH, help="where results go")
    ap.add_argument("--rounds", type=int, default=9,
                    help="rounds per scenario (at least 9; throughput at 1 and 16 MiB "
                         "takes twice as many: its targets sit close to 1)")
    args = ap.parse_args()
    if args.smoke:
        rounds, calls, call_sizes, bulk = 1, 2000, [64], [(MIB, 8)]
        rss_size, counted = 16 * MIB, (200, 1200)
    else:
        rounds, calls, call_sizes = max(args.rounds, 9), 200_000, [1, 64, 1024]
        bulk = [(64 * 1024, GIB // (64 * 1024)), (MIB, 1024), (16 * MIB, 64)]
        rss_size, counted = GIB, (2000, 22000)
    args.out.mkdir(parents=True, exist_ok=True)

    report = ["# csend benchmark", "",
              f"{rounds} rounds, contenders alternating; sender on CPU 0, sink on CPU 1; "
              "ratios are per round, then the median.", "",
              "The csend C core makes the same system calls as the raw C loop (one send() "
              "per message): its distance from 1.000 in each table is that table's noise "
              "floor. The instruction counts (callgrind) are the same on every run.", ""]
    targets = []
    per_call = {}
    with tempfile.TemporaryDirectory() as tmp:
        for transport in ("tcp", "unix"):
            sink = Sink(transport, os.path.join(tmp, "sink.sock"))
            try:
                per_call[transport] = {}
                for size in call_sizes:
                    times = scenario(transport, sink.address, size, calls, rounds)
                    per_call[transport][size] = (times, calls)
                    report += [f"## Per call, {size} B, {calls} sends, {transport}", "",
                               *per_call_table(times, calls), ""]
                    if size == 64:
                        for kind in ("asyncio", "uvloop"):
                            r = overhead_ratio(times, f"csend send_async, {kind}",
                                               f"loop.sock_sendall, {kind}")
                            targets.append((f"{transport}: await send_async overhead over raw C "
                                            f"≤ 0.5 × await loop.sock_sendall's at 64 B, {kind}",
                                            r, r <= 0.5))
                        py = overhead_ratio(times, "csend Python", "CPython socket")
                        lua = overhead_ratio(times, "csend Lua", "LuaSocket")
                        targets.append((f"{transport}: Python overhead over raw C ≤ 0.5 × "
                                        f"CPython socket.send's at 64 B", py, py <= 0.5))
                        targets.append((f"{transport}: Lua overhead over raw C ≤ 0.5 × "
                                        f"LuaSocket's at 64 B", lua, lua <= 0.5))
                for size, n in bulk:
                    times = scenario(transport, sink.address, size, n,
                                     rounds * 2 if size >= MIB else rounds)
                    report += [f"## Throughput, {size // 1024} KiB × {n}, {transport}", "",
                               *throughput_table(times, size, n), ""]
                    if size >= MIB:
                        async_ratio = (statistics.median(times["csend send from a thread"]) /
                                       statistics.median(times["csend send_async, asyncio"]))
                        targets.append((f"{transport}: send_async throughput at {size // MIB} MiB "
                                        "≥ 0.97 × a blocking send from a thread", async_ratio,
                                        async_ratio >= 0.97))
                        for who in ("csend Python", "csend Lua"):
                            r = throughput_ratio(times, who)
                            targets.append((f"{transport}: {who} throughput at "
                                            f"{size // MIB} MiB ≥ 0.97 × raw C", r, r >= 0.97))
                if transport == "tcp":
                    ipc = instructions_per_call(transport, sink.address, 64, *counted)
                    report += ["## User-space instructions per send, 64 B, tcp (callgrind)", "",
                               f"({counted[1]} sends minus {counted[0]}: start-up cancels; "
                               "the kernel's share is not counted.)", "",
                               *instructions_table(ipc), ""]
                    if FLOOR in ipc:
                        r = (ipc[FLOOR] - ipc[RAW]) / (ipc["CPython socket"] - ipc[RAW])
                        report += [f"The floor's overhead is {r:.3f} × CPython socket.send's: "
                                   "no extension's four-argument call can cost less.", ""]
                    for ours, theirs, who in (("csend Python", "CPython socket",
                                               "CPython socket.send"),
                                              ("csend Python, 4 args", "CPython socket",
                                               "CPython socket.send"),
                                              ("csend Python, 4 args, flags in a local",
                                               "CPython socket", "CPython socket.send"),
                                              ("csend send_async, asyncio",
                                               "loop.sock_sendall, asyncio",
                                               "await loop.sock_sendall (asyncio)"),
                                              ("csend send_async, uvloop",
                                               "loop.sock_sendall, uvloop",
                                               "await loop.sock_sendall (uvloop)"),
                                              ("csend Lua", "LuaSocket", "LuaSocket"),
                                              ("csend Lua, 4 args", "LuaSocket", "LuaSocket"),
                                              ("csend LuaJIT", "LuaSocket LuaJIT",
                                               "LuaSocket on LuaJIT"),
                                              ("csend LuaJIT, 4 args", "LuaSocket LuaJIT",
                                               "LuaSocket on LuaJIT")):
                        r = (ipc[ours] - ipc[RAW]) / (ipc[theirs] - ipc[RAW])
                        targets.append((f"instructions: {ours[6:]} overhead over raw C "
                                        f"≤ 0.5 × {who}'s at 64 B", r, r <= 0.5))
                    rss = peak_rss(transport, sink.address, rss_size)
                    limit = rss_size * 1.1 / 1024
                    report += [f"## Peak RSS sending one {rss_size // MIB} MiB bytearray "
                               "from Python", "", f"{rss / 1024:.0f} MiB "
                               f"(limit {limit / 1024:.0f} MiB)", ""]
                    targets.append((f"peak RSS ≤ 1.1 × the buffer ({rss_size // MIB} MiB)",
                                    rss * 1024 / rss_size, rss <= limit))
            finally:
                sink.close()

    report += ["## Targets", "", "| target | measured | |", "|---|---|---|"]
    report += [f"| {name} | {value:.3f} | {'met' if ok else 'NOT MET'} |"
               for name, value, ok in targets]
    text = "\n".join(report) + "\n"
    (args.out / "results.md").write_text(text)
    if not args.smoke:
        plot(per_call, args.out / "results.png")
    print(text)


if __name__ == "__main__":
    main()
