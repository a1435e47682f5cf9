"""The ``andian`` command line."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from server import __version__
from server.accounts.principal import ROLES
from server.errors import AndianError
from server.settings import Settings

if TYPE_CHECKING:
    from server.context import Context

# On stopping, requests still open after this long are cut: a site box's command long-poll (up to a heartbeat, 30 s)
# and live streams would otherwise hold the shutdown; a box takes a cut long-poll as a network failure and retries.
GRACEFUL_SHUTDOWN_S = 5

# A loop that runs beside the server for its lifetime (create_app's ``background``).
Loop = Callable[["Context"], Coroutine[Any, Any, None]]

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="andian", description="安电 andian — smart electricity use platform")
    parser.add_argument("--version", action="version", version=f"andian {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", help="SQLite database file or postgresql://USER:PASSWORD@HOST:PORT/DB "
                                    "(env ANDIAN_DB; default ./data/andian.db)")

    serve = commands.add_parser("serve", help="run the HTTP server (API + PWA)")
    with_db(serve)
    serve.add_argument("--host", help="address to listen on (env ANDIAN_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env ANDIAN_PORT; default 8000)")
    serve.add_argument("--site", action="store_true", default=None,
                       help="run as a site box: poll commissioned Bluetooth devices (env ANDIAN_SITE)")
    serve.add_argument("--simulated", action="store_true",
                       help="a site box on the demo's simulated Bluetooth devices instead of a radio (trying a box, "
                            "or a box paired with a cloud, without hardware)")

    demo = commands.add_parser("demo", help="create the demo city (益阳市) with users of every role and serve it")
    demo.add_argument("--db", default="data/demo.db",
                      help="demo database: a file or a postgresql:// URL (default ./data/demo.db)")
    demo.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    demo.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    demo.add_argument("--no-devices", action="store_true",
                      help="do not start the simulated devices (tests that send their own readings)")

    sim = commands.add_parser("sim", help="run a simulated site box: the demo's Bluetooth devices, polled and printed")
    sim.add_argument("--seconds", type=float, default=60.0, help="how long to run (default 60)")
    sim.add_argument("--interval", type=float, default=5.0, help="poll interval in seconds (default 5)")
    sim.add_argument("--url", help="also send the readings to this server's ingest, e.g. http://127.0.0.1:8000")
    sim.add_argument("--key", help="the gateway API key for --url (POST /api/v1/sites/{id}/gateways)")

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser("add", help="add a user; the password is read from standard input")
    with_db(add)
    add.add_argument("name", help="username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from standard input (first line)")
    add.add_argument("--display-name", default="")
    add.add_argument("--region", action="append", default=[], help="region code; repeat for several")
    add.add_argument("--department", help="regulator's department, e.g. fire_rescue")
    add.add_argument("--company-id", type=int, help="operator company (operators and installers)")

    box = commands.add_parser("box", help="a site box's pairing with its cloud")
    box_commands = box.add_subparsers(dest="box_command", required=True, metavar="ACTION")
    pair = box_commands.add_parser("pair", help="store the cloud's URL and the gateway key it issued, and try them")
    with_db(pair)
    pair.add_argument("url", help="the cloud, e.g. https://cloud.example")
    pair.add_argument("key", help="the gateway key the cloud issued for this box's site "
                                  "(POST /api/v1/sites/{id}/gateways)")

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_upgrade = db_commands.add_parser("upgrade", help="apply pending schema migrations")
    with_db(db_upgrade)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            return _serve(Settings.from_env(db_path=args.db, host=args.host, port=args.port, site=args.site),
                          devices=args.simulated)
        if args.command == "demo":
            # The demo's mailbox listens on 127.0.0.1: the demo allows private notification targets.
            return _demo(Settings.from_env(db_path=args.db, host=args.host, port=args.port,
                                           notify_allow_private=True), devices=not args.no_devices)
        if args.command == "sim":
            from server.demo.sim import run_sim

            return asyncio.run(run_sim(args.seconds, args.interval, args.url, args.key))
        if args.command == "user":
            return asyncio.run(_user_add(args))
        if args.command == "box":
            from server.upstream.pairing_cli import pair

            return asyncio.run(pair(Settings.from_env(db_path=args.db), args.url, args.key))
        if args.command == "db":
            from server.storage import upgrade

            settings = Settings.from_env(db_path=args.db)
            applied = upgrade(settings.database())
            where = "PostgreSQL" if settings.db_url else settings.db_path
            print(f"{where}: " + (f"applied {', '.join(applied)}" if applied else "up to date"))
            return 0
    except AndianError as exc:
        print(f"andian: {exc.detail}", file=sys.stderr)
        return 2
    return 1


def _serve(settings: Settings, *, devices: bool = False, background: Sequence[Loop] = (),
           sock: socket.socket | None = None) -> int:
    import uvicorn

    from server.demo.city import DEMO_DEVICES
    from server.web.app import create_app

    # One worker: the watchdog and the BLE poller must run in exactly one process.
    app = create_app(settings, simulated=DEMO_DEVICES if devices else None, background=background)
    if sock is None:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", workers=1,
                    timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)
    else:  # a socket bound before: it already queues the connections of whoever opened the printed URL
        uvicorn.Server(uvicorn.Config(app, log_level="info", workers=1,
                                      timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S)).run(sockets=[sock])
    return 0


def _bind(host: str, port: int) -> socket.socket:
    """The demo's listening socket, bound before anything is printed, so the URL printed answers; a port that is
    taken is said in both languages, naming --port."""
    try:
        return socket.create_server((host, port))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise AndianError(
                f"端口 {port} 已被占用（{host}:{port}）。请用 --port 换一个端口，例如 andian demo --port {port + 1}\n"
                f"andian: port {port} is already in use on {host}. Choose another with --port, e.g. "
                f"andian demo --port {port + 1}") from exc
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise AndianError(f"无法在 {host}:{port} 上监听：{reason}。请检查 --host，或用 --port 换一个端口\n"
                          f"andian: cannot listen on {host}:{port}: {reason}. Check --host, or choose another "
                          "port with --port") from exc


def _demo(settings: Settings, *, devices: bool = True) -> int:
    sock = _bind(settings.host, settings.port)  # first: a port in use is said at once
    from server.context import open_context
    from server.demo.city import DEMO_DEVICES, DEMO_PASSWORD, DEMO_USERS, WIRED_SITE, seed_demo
    from server.demo.gb26875_box import BOX_NAME, BOX_SITE, DemoBox, register_box
    from server.demo.gb26875_centre import UPLINK_ADDRESS, DemoCentre
    from server.demo.mailbox import Mailbox
    from server.demo.wired import WIRED_DEVICES, DemoWired
    from server.gb26875.listen import address_of

    # The demo's mail goes to a local SMTP server beside the app (port + 25: 8025 for 8000) that prints it.
    mailbox = Mailbox(settings.port + 25)
    listening = mailbox.start()

    # The market's RS-485 bus (pymodbus's own server behind a socat pty pair) and a 4G detector over a local
    # mosquitto, beside the simulated Bluetooth devices.
    wired = DemoWired(settings.files_dir().resolve()) if devices else None
    mqtt_url = wired.start() if wired is not None else None
    if mqtt_url:
        settings = msgspec.structs.replace(settings, mqtt_url=mqtt_url)
    # GB/T 26875.3 (server/demo/gb26875_box.py): the care home's transmission device reports to the demo's receiver
    # (port + 30 unless ANDIAN_GB26875_LISTEN says), and the uplink reports to a local monitoring centre.
    box, centre = None, None
    if devices and not settings.gb26875_listen:
        settings = msgspec.structs.replace(settings, gb26875_listen=f"127.0.0.1:{settings.port + 30}")
    if devices:
        box = DemoBox(address_of(settings.gb26875_listen)[1])
    if devices and not settings.gb26875_uplink and not settings.gb26875_address:
        centre = DemoCentre()
        settings = msgspec.structs.replace(settings, gb26875_uplink=f"127.0.0.1:{centre.port}",
                                           gb26875_address=UPLINK_ADDRESS)

    async def seed() -> bool:
        async with open_context(settings) as ctx:
            created = await seed_demo(ctx, mailbox.port, wired)
            await register_box(ctx)
            return created

    created = asyncio.run(seed())
    url = f"http://{settings.host}:{settings.port}"
    print(f"\n安电 andian demo — {'created' if created else 'reusing'} {settings.db_url or settings.db_path}")
    print(f"Open {url}  (API reference: {url}/schema)\n")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    width = max(len(name) for user in DEMO_USERS for name in user[:2])
    for username, role, display_name, _ in DEMO_USERS:
        print(f"  {username:<{width}} {role:<{width}} {display_name}")
    if devices:
        print(f"Simulated site box: {len(DEMO_DEVICES)} Bluetooth devices. Expect a leakage pre-alarm and alarm at "
              "桃花仑综合市场 within minutes; log in as installer to scan and commission the uncommissioned ones.")
    if wired is not None:
        bus = wired.pty if wired.serial_port else f"127.0.0.1:{wired.port} (RTU over TCP: socat is not installed)"
        print(f"RS-485 bus {bus}: {len(WIRED_DEVICES)} Acrel devices at {WIRED_SITE['name']} (stall 5's loop rises "
              "to a leakage alarm over ten minutes; loop 9's current transformer is open)."
              + (" A 4G detector at 康乐养老院 publishes over MQTT (local mosquitto)." if mqtt_url else ""))
    if box is not None:
        print(f"GB/T 26875.3: {BOX_SITE}'s {BOX_NAME} reports to the monitoring centre on {settings.gb26875_listen}"
              + (f", and andian reports its sites' alarms to a local city platform ({settings.gb26875_uplink})."
                 if centre is not None else "."))
    if listening:
        print(f"Demo mailbox on 127.0.0.1:{mailbox.port}: the mail that owner, carehome, operator and inspector "
              "receive is printed here (📨).")
    print()
    try:
        loops = [loop.run for loop in (wired, box, centre) if loop is not None]
        # uvicorn raises the signal that stopped it again once it has shut down; with Python's default handlers
        # SIGTERM would end the process before the block below stops socat and mosquitto (and SIGINT print a
        # traceback), so both end the demo as an exit instead.
        for stop in (signal.SIGTERM, signal.SIGINT):
            signal.signal(stop, _exit_on_signal)
        return _serve(settings, devices=devices, background=loops, sock=sock)
    finally:
        sock.close()
        if centre is not None:
            centre.sock.close()
        if listening:
            mailbox.stop()
        if wired is not None:
            wired.stop()


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


async def _user_add(args: argparse.Namespace) -> int:
    from server.accounts.schemas import UserCreate
    from server.accounts.service import create_user
    from server.context import open_context

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        body = msgspec.convert(
            {"username": args.name, "password": password, "role": args.role, "display_name": args.display_name,
             "regions": args.region, "department": args.department, "company_id": args.company_id},
            UserCreate,
        )
    except msgspec.ValidationError as exc:
        print(f"andian: {exc}", file=sys.stderr)
        return 2
    async with open_context(Settings.from_env(db_path=args.db)) as ctx:
        user = await create_user(ctx, None, body)
    print(f"created user {user.username} (id {user.id}, role {user.role})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
