"""The `opsportal` command: serve, staff, companies import, demo, keys, schema."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace

from uvicorn.supervisors import Multiprocess

from domain.errors import DomainError
from domain.key_vault import KeyVault, VaultError
from opsportal.cli_runtime import run_with_database as _run_with_database
from opsportal.config import ConfigError, Settings


def _vault(vault: KeyVault | None) -> KeyVault:
    if vault is None:  # only commands run with keys=False get none, and they use none
        raise VaultError("No key-encryption key is configured for this process.")
    return vault


async def _nothing(vault: KeyVault | None) -> int:
    return 0


def _stopped_on_request(signum: int, frame: object) -> None:
    # uvicorn handles SIGTERM itself (in-flight requests finish, then the lifespan closes the
    # database), and then raises the signal again once it has put this handler back: without
    # it, the default action would end a clean shutdown with "killed by SIGTERM" (status -15).
    # Before uvicorn's own handler is in place, it stops the start the same way.
    raise SystemExit(0)


class _Supervisor(Multiprocess):
    """uvicorn's worker supervisor, which also stops listening when told to stop: its own copy
    of the listening socket would otherwise take new connections (into the backlog, where no
    one answers them) while the workers finish their requests."""

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from opsportal.serve_address import Address, bind, start_line
    from opsportal.slow_clients import protocol_for

    if args.workers < 1:
        raise ConfigError("--workers is 1 or more.")
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        raise ConfigError(
            "SQLite means one worker: for --workers above 1, use PostgreSQL "
            "(DATABASE_URL=postgres://...)."
        )
    if os.environ.get("FORWARDED_ALLOW_IPS", "").strip():
        # uvicorn's own variable, which an older README told operators to set: refused rather
        # than silently no longer believed.
        raise ConfigError(
            "FORWARDED_ALLOW_IPS is not read: opsportal believes X-Forwarded-For only from "
            "OPSPORTAL_TRUSTED_PROXIES (addresses or networks, comma-separated); set that "
            "instead and unset FORWARDED_ALLOW_IPS."
        )
    # Proxy headers from the trusted proxies only (uvicorn would believe loopback by default).
    proxy_headers, trusted = bool(settings.trusted_proxies), list(settings.trusted_proxies)
    address = Address(args.host, args.port)
    given = bool(os.environ.get("OPSPORTAL_PUBLIC_URL", "").strip())
    if not given:
        # setupUrl and StartPage URLs name this server; workers read it from the environment.
        settings = replace(settings, public_url=address.reachable_url)
        os.environ["OPSPORTAL_PUBLIC_URL"] = settings.public_url
    sock = bind(address)  # a busy port is told before any URL is printed
    try:
        # Migrated once here, before any worker starts (each worker's start then finds it
        # done); keys stored in the clear are sealed and the KEK is checked against them.
        _run_with_database(settings, _nothing)
        print(
            f"GraphiQL: {address.reachable_url}/graphql  database: {settings.database_shown}"
            f"  workers: {args.workers}" + start_line(address, settings.public_url, given),
            flush=True,
        )
        if args.workers > 1:
            # Each worker process builds its own app from the same environment.
            config = uvicorn.Config(
                "opsportal.app:create_app",
                factory=True,
                host=args.host,
                port=args.port,
                workers=args.workers,
                http="opsportal.slow_clients:HeadDeadline",  # its deadline from the environment
                proxy_headers=proxy_headers,
                forwarded_allow_ips=trusted,
            )
            _Supervisor(config, sockets=[sock]).run()
            return 0
        from opsportal.app import create_app

        app = create_app(settings)
        config = uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            proxy_headers=proxy_headers,
            forwarded_allow_ips=trusted,
            http=protocol_for(settings),
        )
        server = uvicorn.Server(config)
        previous = signal.signal(signal.SIGTERM, _stopped_on_request)
        try:
            server.run(sockets=[sock])
        finally:
            signal.signal(signal.SIGTERM, previous)
        return 0 if server.started else 3  # 3: uvicorn's "the app did not start"
    finally:
        sock.close()


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from opsportal.demo import DEMO_PUNCHOUT_COMPANY, load_demo
    from opsportal.demo_catalog import load_demo_catalog

    async def work(vault: KeyVault | None) -> int:
        demo = await load_demo(_vault(vault), args.companies, args.password)
        report = demo.report
        print(f"demo companies: {report.imported:,} new, {report.skipped_total:,} already there")
        products, prices = await load_demo_catalog(DEMO_PUNCHOUT_COMPANY)
        print(
            f"demo catalog: {products.imported:,} new products, {products.updated:,} updated; "
            f"{prices.imported + prices.updated:,} contract prices for {DEMO_PUNCHOUT_COMPANY}"
        )
        print("demo logins:")
        width = max(len(login.email) for login in demo.logins)
        for login in demo.logins:
            print(f"  {login.email.ljust(width)}  {login.rights}")
        kept = "kept from an earlier run (--password P sets a new one)"
        passwords = {login.password for login in demo.logins}
        if len(passwords) == 1:
            print(f"password of every demo login: {passwords.pop() or kept}")
        else:
            for login in demo.logins:
                print(f"password of {login.email}: {login.password or kept}")
        if demo.api_key:
            print(f"punchout customer: {demo.punchout_customer}  PUNCHOUT API Key: {demo.api_key}")
        shown = demo.password or "(kept from an earlier run)"
        print(f"sign in as: {demo.admin_email}  password: {shown}")
        return 0

    return _run_with_database(settings, work)


def cmd_keygen(args: argparse.Namespace, settings: Settings) -> int:
    from domain.key_vault import new_kek

    print(new_kek())
    return 0


def cmd_keys_reseal(args: argparse.Namespace, settings: Settings) -> int:
    from domain.punchout_keys import reseal

    async def work(vault: KeyVault | None) -> int:
        print(f"resealed {await reseal(_vault(vault))} keys under the first key-encryption key")
        return 0

    return _run_with_database(settings, work)


def cmd_keys_discard(args: argparse.Namespace, settings: Settings) -> int:
    from domain.punchout_keys import discard_unopenable

    async def work(vault: KeyVault | None) -> int:
        customers = await discard_unopenable(_vault(vault))
        print(f"discarded the keys of {len(customers)} customers that no configured KEK opens")
        for username in customers:
            print(f"  {username}: give it a new key with rotatePunchoutKey")
        return 0

    return _run_with_database(settings, work, check_keys=False)


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from graph.schema import schema

    print(schema.as_str())
    return 0


class _Formatter(argparse.HelpFormatter):
    """Wraps descriptions; keeps text of several lines (the environment list) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def parser() -> argparse.ArgumentParser:
    from opsportal import cli_catalog, cli_import, cli_staff
    from opsportal.environment import epilog

    top = argparse.ArgumentParser(
        prog="opsportal",
        description="Operations-portal API for punchout suppliers. `opsportal COMMAND --help` "
        "describes a command's options.",
        epilog=epilog(),
        formatter_class=_Formatter,
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="migrate the database, then serve GraphQL (GraphiQL at /graphql) and cXML",
        description="Migrate the database, then serve. Without OPSPORTAL_PUBLIC_URL, setupUrl "
        "and StartPage URLs name http://HOST:PORT as given here.",
        formatter_class=_Formatter,
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on; 0.0.0.0 for every IPv4 address (default: 127.0.0.1)",
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="the port to listen on (default: 8000)"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="worker processes; above 1 needs PostgreSQL (default: 1)",
    )
    serve.set_defaults(handler=cmd_serve)

    cli_staff.register(commands, _Formatter)
    cli_import.register(commands, _Formatter)
    cli_catalog.register(commands, _Formatter)

    demo = commands.add_parser(
        "demo",
        help="load demo companies, staff and a punchout customer; print the logins",
        description="Load demo companies, three staff logins and a punchout customer, and print "
        "which login has which rights and companies. Safe to run again: nothing is added "
        "twice, and the logins keep their passwords unless --password is given.",
        formatter_class=_Formatter,
    )
    demo.add_argument(
        "--companies", type=int, default=500, metavar="N", help="how many companies (default: 500)"
    )
    demo.add_argument(
        "--password",
        metavar="P",
        help="the password of every demo login, at least 12 characters and not easy to guess "
        "(default: kept for logins that exist, a random one, printed, for new ones)",
    )
    demo.set_defaults(handler=cmd_demo)

    keygen = commands.add_parser(
        "keygen",
        help="print a new key-encryption key for OPSPORTAL_KEY_ENCRYPTION_KEY",
        description="Print a new key-encryption key (KEK) for OPSPORTAL_KEY_ENCRYPTION_KEY. "
        "No options.",
        formatter_class=_Formatter,
    )
    keygen.set_defaults(handler=cmd_keygen)
    keys = commands.add_parser(
        "keys",
        help="manage the sealed PUNCHOUT API Keys (reseal, discard-unopenable)",
        description="Manage the sealed PUNCHOUT API Keys: reseal, discard-unopenable.",
        formatter_class=_Formatter,
    ).add_subparsers(dest="keys_command", required=True, metavar="SUBCOMMAND")
    reseal = keys.add_parser(
        "reseal",
        help="seal every key under the first of OPSPORTAL_KEY_ENCRYPTION_KEY's KEKs",
        description="Seal every PUNCHOUT API Key under the first KEK of "
        "OPSPORTAL_KEY_ENCRYPTION_KEY (after adding a new one in front). No options.",
        formatter_class=_Formatter,
    )
    reseal.set_defaults(handler=cmd_keys_reseal)
    discard = keys.add_parser(
        "discard-unopenable",
        help="after a lost KEK: delete the keys no configured KEK opens (then rotate them)",
        description="After a lost KEK: delete the PUNCHOUT API Keys that no configured KEK "
        "opens, audited and listed, so the server starts again; then give those customers new "
        "keys with rotatePunchoutKey. No options.",
        formatter_class=_Formatter,
    )
    discard.set_defaults(handler=cmd_keys_discard)
    sdl = commands.add_parser(
        "schema",
        help="print the GraphQL schema (SDL)",
        description="Print the GraphQL schema (SDL), as schema.graphql holds it. No options.",
        formatter_class=_Formatter,
    )
    sdl.set_defaults(handler=cmd_schema)
    return top


_PATHS = {"file", "rejects"}  # file names: whatever bytes the file system holds


def _not_utf8(args: argparse.Namespace) -> tuple[str, str] | None:
    """An argument (its name and value) whose bytes were not UTF-8: Python reads them as lone
    surrogates, which no encoder (argon2's, the database driver's) takes, so they would fail
    as a traceback there. File names are let through: the file system takes them back."""
    for name, value in vars(args).items():
        if name in _PATHS:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            if isinstance(item, str) and any("\ud800" <= c <= "\udfff" for c in item):
                return name, item
    return None


def main(argv: list[str] | None = None) -> int:
    from opsportal import logs

    logs.install()
    args = parser().parse_args(argv)
    refused = _not_utf8(args)
    if refused is not None:
        print(f"opsportal: {refused[0]} is not UTF-8 text: {refused[1]!r}", file=sys.stderr)
        return 2
    try:
        settings = Settings.from_env()
        return args.handler(args, settings)
    except (ConfigError, DomainError, VaultError) as exc:
        print(f"opsportal: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
