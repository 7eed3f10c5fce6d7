"""Serve the interactive app: ``uv run python -m sim.app --port 8765 [--host 127.0.0.1]``.

Where it sits: the app's entry point. It starts Solara's server on ``sim.app.page`` without
opening a browser, prints the address to open, and serves until Ctrl-C. The page's scripts come
from the installed ``solara-assets`` package, so the app works without internet access.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.app",
        description="Interactive app: finished sweeps of a world and a live paired run. "
                    "Opens no browser; open the printed address yourself.")
    parser.add_argument("--port", type=int, default=8765, help="port to serve on (default 8765)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only)")
    parser.add_argument("--sweeps", type=Path, default=Path("results/sweeps"),
                        help="folder of finished sweeps (default results/sweeps)")
    parser.add_argument("--language", choices=("en", "sv", "nb"), default="en",
                        help="the page's first language (a selector on the page changes it; "
                             "the same languages as report.language)")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error(f"--port {args.port}: allowed: a port number in 1..65535")
    # read by sim.app.page when the server imports it
    os.environ["SIM_APP_SWEEPS"] = str(args.sweeps.resolve())
    os.environ["SIM_APP_LANGUAGE"] = args.language
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no calls home
    from solara.__main__ import run

    print(f"alliance-sim app: open http://{args.host}:{args.port}/ in a browser "
          "(Ctrl-C stops the server)", flush=True)
    return run.main(["sim.app.page", "--port", str(args.port), "--host", args.host,
                     "--no-open", "--production"], standalone_mode=True) or 0


if __name__ == "__main__":
    sys.exit(main())
