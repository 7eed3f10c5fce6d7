"""Serve the interactive app: ``uv run python -m sim.app --port 8765 [--host 127.0.0.1]``.

Where it sits: the app's entry point. It checks the address first (the host and port must be
one this machine can listen on; an empty host, which would mean every interface, is refused),
then starts Solara's server on ``sim.app.page`` without opening a browser, prints the address to
open, and serves until Ctrl-C. A refused value is one line on stderr and exit 2. The page's
scripts come from the installed ``solara-assets`` package, so the app works without internet
access. What the page cannot show (a broken sweep, a failed live run) is logged to stderr.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
import warnings
from pathlib import Path

EVERY_INTERFACE = ("0.0.0.0", "::")


def check_address(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (None: it can). Binds a socket there
    for a moment, as uvicorn will (IPv6 for a host with a colon, else IPv4), so a name that does
    not resolve, an address of another machine and a port in use are all found before the
    server starts."""
    allowed = ("allowed: an address or host name of this machine, e.g. 127.0.0.1 (the default: "
               "this machine only) or 0.0.0.0 (every interface, only if you name it)")
    if not host.strip() or host != host.strip():
        return f"--host {host!r}: an empty host would listen on every interface; {allowed}"
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except (socket.gaierror, UnicodeError):
            return f"--host {host!r}: not an address or a host name that resolves; {allowed}"
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return f"--port {port}: another program listens there; allowed: a free port"
            if err.errno == errno.EACCES:
                return (f"--port {port}: this user may not listen there; allowed: a port from "
                        "1024 to 65535")
            if err.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT, errno.EINVAL):
                return f"--host {host!r}: not an address of this machine; {allowed}"
            return f"--host {host!r} --port {port}: cannot listen there ({err.strerror or err})"
    return None


def _log_to_stderr() -> None:
    """The page's problems (``logging.getLogger("sim.app")``) go to the server's stderr in full."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("sim.app %(levelname)s: %(message)s"))
    logger = logging.getLogger("sim.app")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def _quiet_cookie_warning() -> None:
    """Solara's page handler (``solara.server.starlette.root``) would like its session cookie
    SameSite=None, so that a page embedded in another site's iframe keeps its session; browsers
    take that only over https or on the host name ``localhost``, so on ``http://127.0.0.1`` it
    warns on the first request and falls back to SameSite=Lax. Lax is what this app wants (it is
    opened directly, never embedded), and Solara has no setting for this choice, so exactly that
    warning, from that module, is silenced; every other warning still shows."""
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https",
                            category=UserWarning, module=r"solara\.server\.starlette")


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
    refused = (f"--port {args.port}: allowed: a port number in 1..65535"
               if not 0 < args.port < 65536 else check_address(args.host, args.port))
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    # read by sim.app.page when the server imports it
    os.environ["SIM_APP_SWEEPS"] = str(args.sweeps.resolve())
    os.environ["SIM_APP_SWEEPS_SHOWN"] = str(args.sweeps)  # as named: the page shows no other path
    os.environ["SIM_APP_LANGUAGE"] = args.language
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no calls home
    _log_to_stderr()
    _quiet_cookie_warning()
    from solara.__main__ import run

    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"alliance-sim app: open http://{shown}:{args.port}/ in a browser "
          "(Ctrl-C stops the server)", flush=True)
    if args.host in EVERY_INTERFACE:
        print(f"alliance-sim app: listening on every interface ({args.host}), as --host asks: "
              "anyone who can reach this machine can use the app", flush=True)
    return run.main(["sim.app.page", "--port", str(args.port), "--host", args.host,
                     "--no-open", "--production"], standalone_mode=True) or 0


if __name__ == "__main__":
    sys.exit(main())
