"""How the sandbox video bridge answers joins, against a plain GET on the same process.

Starts a real bridge process on loopback, then measures with an aiohttp client:

1. throughput of ``GET /_health`` (the peer) and of signed ``join`` calls (``redirect=false``)
   at the same concurrency, and their ratio;
2. the median join latency as the bridge fills (0 %, 50 %, 90 %, 99 % of its capacity), as a
   ratio of the empty bridge's, which is the "joins slow down as the bridge fills" claim.

Run: ``.venv/bin/python bench/bench_bridge_join.py [--seconds 3] [--concurrency 32]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from entdrill.bbb_checksum import build_url
from entdrill.testing import free_config, prepare_sandbox_dir


async def rate(session: aiohttp.ClientSession, urls, seconds: float, concurrency: int) -> float:
    done = 0
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            async with session.get(next(urls)) as response:
                await response.read()
                assert response.status == 200, response.status
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return done / seconds


async def median_join_s(session: aiohttp.ClientSession, url_of, samples: int = 20) -> float:
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        async with session.get(url_of()) as response:
            body = await response.text()
        times.append(time.perf_counter() - started)
        assert "SUCCESS" in body, body
        # leave at once so the fill level stays where it was set
        token = body.split("<session_token>")[1].split("<")[0]
        base = url_of().split("/bigbluebutton")[0]
        async with session.post(f"{base}/html5client/leave?sessionToken={token}") as left:
            await left.read()
    return statistics.median(times)


async def main(seconds: float, concurrency: int) -> None:
    directory = Path(tempfile.mkdtemp(prefix="bench-bridge-"))
    capacity = 200
    state = prepare_sandbox_dir(directory, free_config(bridge_capacity=capacity))
    base = f"http://127.0.0.1:{state.config.bridge_port}"
    api = base + "/bigbluebutton/api"
    secret = state.secrets.bridge_secret
    process = subprocess.Popen(
        [sys.executable, "-m", "entdrill.sandbox.serve", "bridge", "--dir", str(directory)]
    )
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(base + "/_health") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            async with session.get(build_url(api, "create", {"meetingID": "bench"}, secret)) as r:
                await r.read()

            def join_url(ttl: str = "0.2") -> str:
                params = {"meetingID": "bench", "fullName": "Bench", "role": "VIEWER"}
                params |= {"redirect": "false", "userdata-entdrill_ttl_s": ttl}
                return build_url(api, "join", params, secret)

            health = await rate(
                session, iter(lambda: base + "/_health", None), seconds, concurrency
            )
            # Short TTL: the bridge empties itself, so throughput is measured far from capacity.
            await asyncio.sleep(0.5)
            joins = await rate(session, iter(join_url, None), seconds, concurrency)
            print(f"GET /_health: {health:8.0f} req/s (concurrency {concurrency})")
            print(f"join:         {joins:8.0f} req/s  ratio join/health = {joins / health:.2f}")

            await asyncio.sleep(0.5)
            empty = await median_join_s(session, join_url)
            print(f"median join latency, empty bridge: {empty * 1000:.1f} ms")
            held: list[str] = []
            for share in (0.5, 0.9, 0.99):
                while len(held) < int(share * capacity):
                    async with session.get(join_url("600")) as response:
                        held.append(await response.text())
                fill = await median_join_s(session, join_url)
                print(
                    f"median join latency at {share:4.0%} full: {fill * 1000:6.1f} ms"
                    f"  ratio to empty = {fill / empty:.1f}"
                )
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    asyncio.run(main(args.seconds, args.concurrency))
