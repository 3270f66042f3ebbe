"""The `opsportal` command: serve, staff add, companies import, demo."""

from __future__ import annotations

import argparse
import asyncio
import csv
import signal
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

from uvicorn.supervisors import Multiprocess

from domain.errors import CompanyCode, CompanyRefused, DomainError
from domain.key_vault import KeyVault, VaultError
from opsportal.config import ConfigError, Settings
from opsportal.startup import CHECK_VAULT, STARTUP, WITHOUT_KEYS, started


def _run_with_database(
    settings: Settings,
    work: Callable[[KeyVault | None], Awaitable[int]],
    *,
    keys: bool = True,
    check_keys: bool = True,
) -> int:
    """Run `work` with the database open; `keys=False` for work that never touches keys
    (which then needs no key-encryption key)."""

    async def main() -> int:
        vault = settings.key_vault() if keys else None
        steps = STARTUP if check_keys else tuple(s for s in STARTUP if s is not CHECK_VAULT)
        async with started(settings.database_url, vault, steps if keys else WITHOUT_KEYS):
            return await work(vault)

    return asyncio.run(main())


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

    if args.workers < 1:
        raise ConfigError("--workers is 1 or more.")
    if args.workers > 1 and settings.database_url.startswith("sqlite"):
        raise ConfigError(
            "SQLite means one worker: for --workers above 1, use PostgreSQL "
            "(DATABASE_URL=postgres://...)."
        )
    # Migrated once here, before any worker starts (each worker's start then finds it done);
    # keys stored in the clear are sealed and the KEK is checked against the stored keys.
    _run_with_database(settings, _nothing)
    print(
        f"GraphiQL: http://{args.host}:{args.port}/graphql  database: {settings.database_shown}"
        f"  workers: {args.workers}"
    )
    if args.workers == 1:
        from opsportal.app import create_app

        app = create_app(settings)
        previous = signal.signal(signal.SIGTERM, _stopped_on_request)
        try:
            uvicorn.run(app, host=args.host, port=args.port)
        finally:
            signal.signal(signal.SIGTERM, previous)
    else:
        # Each worker process builds its own app from the same environment.
        config = uvicorn.Config(
            "opsportal.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
        )
        _Supervisor(config, sockets=[config.bind_socket()]).run()
    return 0


def cmd_staff_add(args: argparse.Namespace, settings: Settings) -> int:
    from domain.signin import add_staff

    async def work(vault: KeyVault | None) -> int:
        staff = await add_staff(
            args.email,
            args.password,
            administrator=args.administrator,
            superuser=args.superuser,
            roles=args.role,
            assign_codes=args.assign,
        )
        print(f"staff member {staff.email} saved")
        return 0

    return _run_with_database(settings, work, keys=False)


def _csv_rows(path: Path) -> Iterator[dict[str, str | None]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"code", "name"} - {(f or "").strip().lower() for f in reader.fieldnames or ()}
        if missing:
            raise CompanyRefused(
                CompanyCode.INVALID, f"{path}: the CSV needs the columns code,name."
            )
        for row in reader:
            yield {(k or "").strip().lower(): v for k, v in row.items()}


BAR = 40


def _count_rows(path: Path) -> int:
    """Data rows in a CSV file, counted fast for the progress bar (a quoted newline inside a
    field makes it an estimate, which is all a progress bar needs)."""
    with path.open("rb") as handle:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    return max(lines - 1, 0)


def cmd_companies_import(args: argparse.Namespace, settings: Settings) -> int:
    from domain.company_import import import_companies

    path = Path(args.file)
    if not path.is_file():
        raise CompanyRefused(CompanyCode.NOT_FOUND, f"{path}: no such file.")

    total = _count_rows(path) if sys.stderr.isatty() else 0

    def progress(done: int) -> None:
        if total:
            filled = int(BAR * min(done, total) / total)
            bar = "#" * filled + "-" * (BAR - filled)
            print(
                f"\r[{bar}] {done / total:4.0%} {done:,}/{total:,} rows",
                end="",
                file=sys.stderr,
                flush=True,
            )

    async def work(vault: KeyVault | None) -> int:
        report = await import_companies(_csv_rows(path), progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"imported {report.imported:,} companies, skipped {report.skipped_total:,}")
        for reason, count in report.skipped.most_common():
            print(f"  skipped {count:,}: {reason}")
        return 0

    return _run_with_database(settings, work, keys=False)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from opsportal.demo import load_demo

    async def work(vault: KeyVault | None) -> int:
        demo = await load_demo(_vault(vault), args.companies, args.password)
        report = demo.report
        print(f"demo companies: {report.imported:,} new, {report.skipped_total:,} already there")
        print("staff: editor@demo.example (companyEdit), crm@demo.example (crmCompanyEdit),")
        print("       same password as the administrator")
        if demo.api_key:
            print(f"punchout customer: {demo.punchout_customer}  PUNCHOUT API Key: {demo.api_key}")
        print(f"sign in as: {demo.admin_email}  password: {demo.password}")
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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="opsportal", description="Operations-portal API for punchout suppliers."
    )
    commands = top.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (GraphiQL at /graphql)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes (PostgreSQL only; default 1)"
    )
    serve.set_defaults(handler=cmd_serve)

    staff = commands.add_parser("staff", help="manage staff").add_subparsers(
        dest="staff_command", required=True
    )
    add = staff.add_parser("add", help="add a staff member, or update one with this email")
    add.add_argument("email")
    add.add_argument("--password", required=True)
    add.add_argument("--administrator", action="store_true")
    add.add_argument("--superuser", action="store_true")
    add.add_argument(
        "--role", action="append", default=[], choices=["companyEdit", "crmCompanyEdit"]
    )
    add.add_argument("--assign", action="append", default=[], metavar="COMPANY_CODE")
    add.set_defaults(handler=cmd_staff_add)

    companies = commands.add_parser("companies", help="manage companies").add_subparsers(
        dest="companies_command", required=True
    )
    imp = companies.add_parser("import", help="import companies from a CSV with code,name")
    imp.add_argument("file", metavar="FILE.csv")
    imp.set_defaults(handler=cmd_companies_import)

    demo = commands.add_parser("demo", help="load demo companies and staff, print a login")
    demo.add_argument("--companies", type=int, default=500, metavar="N")
    demo.add_argument("--password", help="the demo staff password (default: a random one)")
    demo.set_defaults(handler=cmd_demo)
    keygen = commands.add_parser(
        "keygen", help="print a new key-encryption key for OPSPORTAL_KEY_ENCRYPTION_KEY"
    )
    keygen.set_defaults(handler=cmd_keygen)
    keys = commands.add_parser("keys", help="manage the sealed PUNCHOUT API Keys").add_subparsers(
        dest="keys_command", required=True
    )
    reseal = keys.add_parser(
        "reseal", help="seal every key under the first of OPSPORTAL_KEY_ENCRYPTION_KEY's KEKs"
    )
    reseal.set_defaults(handler=cmd_keys_reseal)
    discard = keys.add_parser(
        "discard-unopenable",
        help="after a lost KEK: delete the keys no configured KEK opens (then rotate them)",
    )
    discard.set_defaults(handler=cmd_keys_discard)
    sdl = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    sdl.set_defaults(handler=cmd_schema)
    return top


def main(argv: list[str] | None = None) -> int:
    from opsportal import logs

    logs.install()
    args = parser().parse_args(argv)
    try:
        settings = Settings.from_env()
        return args.handler(args, settings)
    except (ConfigError, DomainError, VaultError) as exc:
        print(f"opsportal: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
