"""Entry point of one sandbox component process: ``python -m entdrill.sandbox.serve NAME --dir D``."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import sys
from pathlib import Path

from entdrill.errors import EntdrillError
from entdrill.sandbox.component import COMPONENT_MODULES, load_context


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="entdrill.sandbox.serve")
    parser.add_argument("name", help="component name: ent-1, bridge, slack, ...")
    parser.add_argument("--dir", required=True, type=Path, help="the sandbox directory")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format=f"%(asctime)s %(levelname)s {args.name} %(name)s: %(message)s"
    )
    try:
        ctx = load_context(args.name, args.dir)
        module = importlib.import_module(COMPONENT_MODULES[ctx.kind])
        if hasattr(module, "run_blocking"):  # a server with its own event loop (Synapse)
            module.run_blocking(ctx)
        else:
            asyncio.run(module.run(ctx))
    except EntdrillError as error:
        print(f"{args.name}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{args.name}: {error}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
