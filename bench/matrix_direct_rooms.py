"""Messages a second to N direct rooms on the sandbox's Synapse, against its configured rate limit.

Starts the sandbox's ``matrix`` component as the supervisor does (Synapse in its own process,
the school set up), registers N people, then has the ``matrix`` channel send one direct message
to each (``direct: true``), as a drill does, three times:

1. **peer, no limit**: a bot whose message rate limit is lifted (Synapse's per-user override):
   what Synapse and the client manage on this machine, opening N rooms and sending N messages,
   then sending N more in the same rooms;
2. **first drill, limited**: a fresh bot under the configured limit (``--rate`` messages a second
   in bursts of ``--burst``): Synapse counts opening a room like a message, so N rooms and N
   messages cost 2N, and the limit allows ``(2N - burst) / rate`` seconds at best;
3. **next drill, limited**: the same bot again, its direct rooms reused (``m.direct``): N
   messages on an empty bucket, ``N / rate`` seconds at best.

Each line gives messages a second, the best time the limit allows over the time taken (1.0: the
limit is the only thing that held it back), every wait the 429s asked for, and checks that each
room holds exactly one message of each limited round (a 429 never doubles a message).

Run: ``.venv/bin/python bench/matrix_direct_rooms.py [--people 40] [--rate 2] [--burst 10]``
(``--rate 0.2 --burst 10`` is Synapse's own default; it takes minutes at 40 people).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from entdrill import processes
from entdrill.channels import Message, Recipient
from entdrill.channels.matrix import CONTENT_KEY, MatrixChannel
from entdrill.channels.matrix_client import MatrixConnection, quoted
from entdrill.sandbox import matrix_accounts
from entdrill.sandbox.config import HOST
from entdrill.sandbox.readiness import matrix_ready
from entdrill.testing import free_config, prepare_sandbox_dir


def start(directory: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", processes.SERVE_MODULE, "matrix", "--dir", str(directory)],
        stdout=(directory / "matrix.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while not matrix_ready(HOST, port, directory):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(
                "Synapse did not start: " + (directory / "matrix.log").read_text()[-1500:]
            )
        time.sleep(0.2)
    return process


def round_of(
    label: str,
    url: str,
    bot: matrix_accounts.Account,
    people: list[Recipient],
    rate: float,
    tokens: int,
    burst: int,
) -> tuple[float, MatrixChannel]:
    connection = MatrixConnection(
        url, bot.access_token, rate_limit_cap_s=60.0, max_rate_limited=10_000
    )
    channel = MatrixChannel(
        "bench", people, connection=connection, drill_id=uuid.uuid4().hex, direct=True
    )
    started = time.perf_counter()
    events = channel.send(Message("bench", label, "bench", "[EXERCICE / DRILL] bench"), people)
    elapsed = time.perf_counter() - started
    delivered = sum(e.state.value == "delivered" for e in events)
    if delivered != len(people):
        raise SystemExit(f"{label}: {delivered} of {len(people)} delivered: {events[-1].evidence}")
    per_s = len(people) / elapsed
    floor = max(0.0, tokens - burst) / rate if rate else 0.0
    share = f"{floor / elapsed:.2f}" if floor else "-"
    print(
        f"{label:29} {len(people):4d} messages in {elapsed:7.2f} s = {per_s:7.2f} msg/s"
        f"   the limit allows {floor:6.1f} s at best: {share} of it"
        f"   waited {connection.rate_limited_s:6.1f} s on 429s"
    )
    return per_s, channel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rate", type=float, default=2.0, help="messages a second per user")
    parser.add_argument("--burst", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "sandbox"
        config = free_config(
            matrix=True,
            schools=1,
            pupils_per_school=1,
            matrix_message_rate=args.rate,
            matrix_message_burst=args.burst,
        )
        state = prepare_sandbox_dir(directory, config)
        process = start(directory, config.matrix_port)
        try:
            accounts = matrix_accounts.read_accounts(directory)
            assert accounts is not None
            secret, url = state.secrets.matrix_shared_secret, config.matrix_url
            people = []
            for i in range(args.people):
                account = matrix_accounts.register(url, secret, f"bench{i}")
                people.append(Recipient(f"bench{i}", f"Bench {i}", matrix_id=account.user_id))
            print(
                f"Synapse {config.matrix_url}, rc_message {args.rate:g}/s in bursts of "
                f"{args.burst}; {args.people} direct rooms"
            )
            free = matrix_accounts.register(url, secret, "unlimited")
            matrix_accounts.override_rate_limit(url, accounts.admin, free.user_id, 0, 0)
            opening, _ = round_of("peer: no limit, new rooms", url, free, people, 0.0, 0, 0)
            peer, _ = round_of("peer: no limit, rooms reused", url, free, people, 0.0, 0, 0)
            bot = matrix_accounts.register(url, secret, "limited")
            first, channel = round_of(
                "first drill: new rooms", url, bot, people, args.rate, 2 * args.people, args.burst
            )
            second, _ = round_of(
                "next drill: rooms reused", url, bot, people, args.rate, args.people, 0
            )
            rooms = {w.room_id for w in channel.watched}
            for room_id in rooms:
                answer = matrix_accounts.call(
                    url,
                    "GET",
                    f"/_matrix/client/v3/rooms/{quoted(room_id)}/messages?dir=b&limit=50",
                    token=bot.access_token,
                )
                ours = [e for e in answer["chunk"] if CONTENT_KEY in (e.get("content") or {})]
                if len(ours) != 2:
                    raise SystemExit(f"{room_id} holds {len(ours)} messages, expected 2")
            print(f"every one of the {len(rooms)} rooms holds exactly 2 messages (no doubles)")
            print(
                f"ratios: first drill / peer with new rooms {first / opening:.3f}; "
                f"next drill / peer with rooms reused {second / peer:.3f}; "
                f"next drill / configured rate {second / args.rate:.2f}"
            )
        finally:
            processes.terminate(process.pid)


if __name__ == "__main__":
    main()
