"""What one wake-up costs a client on this machine, whatever the client: the floor under the
per-login CPU figures of ``flood_vs_locust.py --cas``.

A process pinned to CPU 0 writes one byte every millisecond into a socket pair; a process
pinned to CPU 1 waits for it and reads it, ``--waits`` times, with each way of waiting the engine
has: ``epoll.poll`` (what a socket event wakes), ``select`` on the epoll descriptor then
``poll(0)`` (the precise wait for an arrival), and, where the C library has it, ``epoll_pwait2``
through ctypes (a nanosecond timeout in one call). Prints the waiter's CPU time per wake-up
(``time.process_time``: user and system), median of ``--repeat`` rounds per way.

Offered Locust's login rate, ``entdrill flood`` wakes up about 5.6 times per CAS login (five
responses and the arrival), each wake-up handling one event: those wake-ups are a floor that
neither client can go under without batching events, and batching would hold responses back
and lengthen the latencies the flood measures.

    .venv/bin/python bench/wakeup_cost.py [--waits 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import select
import socket
import statistics
import time
from collections.abc import Callable

WRITER_CPU, WAITER_CPU = 0, 1
TIMEOUT_S = 0.02


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _EpollEvent(ctypes.Structure):
    _pack_ = 1  # struct epoll_event is packed on x86-64
    _fields_ = [("events", ctypes.c_uint32), ("data", ctypes.c_uint64)]


def waiter(way: str, epoll: select.epoll) -> Callable[[], bool]:
    """A function that waits up to TIMEOUT_S for the epoll and returns whether it is ready."""
    if way == "poll":
        return lambda: bool(epoll.poll(TIMEOUT_S))
    if way == "select+poll":
        fds = [epoll.fileno()]
        return lambda: bool(select.select(fds, [], [], TIMEOUT_S)[0] and epoll.poll(0))
    pwait2 = ctypes.CDLL(None, use_errno=True).epoll_pwait2
    events, timeout = (_EpollEvent * 8)(), _Timespec(0, int(TIMEOUT_S * 1e9))
    fd = epoll.fileno()
    return lambda: pwait2(fd, events, 8, ctypes.byref(timeout), None, 0) > 0


def one_round(way: str, waits: int) -> float:
    """CPU microseconds the waiter spends per wake-up."""
    writer_end, reader_end = socket.socketpair()
    child = os.fork()
    if child == 0:  # the writer
        os.sched_setaffinity(0, {WRITER_CPU})
        for _ in range(waits):
            time.sleep(0.001)
            writer_end.send(b"x")
        os._exit(0)
    os.sched_setaffinity(0, {WAITER_CPU})
    epoll = select.epoll()
    epoll.register(reader_end.fileno(), select.EPOLLIN)
    wait = waiter(way, epoll)
    received = wakeups = 0
    started = time.process_time()
    while received < waits:
        wakeups += 1
        if wait():
            received += len(reader_end.recv(4096))
    cpu = time.process_time() - started
    os.waitpid(child, 0)
    epoll.close()
    writer_end.close()
    reader_end.close()
    return cpu / wakeups * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waits", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ways = ["poll", "select+poll"]
    if hasattr(ctypes.CDLL(None), "epoll_pwait2"):
        ways.append("epoll_pwait2")
    print(f"load average {os.getloadavg()[0]:.2f}, kernel {os.uname().release}")
    for way in ways:
        rounds = [one_round(way, args.waits) for _ in range(args.repeat)]
        shown = ", ".join(f"{r:.1f}" for r in rounds)
        print(f"{way:13} {statistics.median(rounds):6.1f} µs of CPU per wake-up (rounds {shown})")


if __name__ == "__main__":
    main()
