"""`opsportal staff ...`: add, set, list, disable, enable, revoke-tokens (domain.staff_admin)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from domain.access import STAFF_ROLES
from domain.errors import StaffCode, StaffRefused
from domain.key_vault import KeyVault
from domain.passwords import RULES
from opsportal.cli_runtime import run_with_database
from opsportal.config import Settings

if TYPE_CHECKING:
    from domain.staff_admin import StaffSummary

ROLE_CHOICES = list(STAFF_ROLES)


def _rights(administrator: bool, superuser: bool, roles: list[str], codes: list[str]) -> str:
    parts = [
        name for name, on in (("administrator", administrator), ("superuser", superuser)) if on
    ]
    parts += [f"role {role}" for role in roles]
    parts += [f"company {code}" for code in codes]
    return ", ".join(parts) or "no rights yet"


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    from domain.staff_admin import create_staff

    async def work(vault: KeyVault | None) -> int:
        try:
            staff = await create_staff(
                None,
                args.email,
                args.password,
                administrator=args.administrator,
                superuser=args.superuser,
                roles=args.role,
                assign=args.assign,
            )
        except StaffRefused as exc:
            if exc.code is not StaffCode.TAKEN:
                raise
            hint = f"{exc.message} Change it with `opsportal staff set`."
            raise StaffRefused(exc.code, hint, exc.field) from None
        rights = _rights(args.administrator, args.superuser, sorted(set(args.role)), args.assign)
        print(f"staff member {staff.email} added: {rights}")
        return 0

    return run_with_database(settings, work, keys=False)


def cmd_set(args: argparse.Namespace, settings: Settings) -> int:
    from domain.staff_admin import REVOKING, StaffChange, change_staff

    change = StaffChange(
        password=args.password,
        administrator=args.administrator,
        superuser=args.superuser,
        add_roles=tuple(args.role),
        remove_roles=tuple(args.no_role),
        assign=tuple(args.assign),
        unassign=tuple(args.unassign),
    )
    if change.is_empty():
        raise StaffRefused(
            StaffCode.INVALID,
            "staff set: name what to change (--password, --administrator, --no-administrator, "
            "--superuser, --no-superuser, --role, --no-role, --assign, --unassign).",
        )

    async def work(vault: KeyVault | None) -> int:
        outcome = await change_staff(None, args.email, change)
        email = outcome.staff.email
        if not outcome.changed:
            print(f"staff member {email}: nothing changed (it is so already)")
            return 0
        revoking = set(outcome.changed) & REVOKING
        revoked = f"; {outcome.tokens_revoked} tokens revoked" if revoking else ""
        print(f"staff member {email} changed: {', '.join(outcome.changed)}{revoked}")
        return 0

    return run_with_database(settings, work, keys=False)


def _cmd_enabled(enabled: bool) -> Callable[[argparse.Namespace, Settings], int]:
    def handler(args: argparse.Namespace, settings: Settings) -> int:
        from domain.staff_admin import set_staff_enabled

        async def work(vault: KeyVault | None) -> int:
            outcome = await set_staff_enabled(None, args.email, enabled)
            state = "enabled" if enabled else "disabled"
            if not outcome.changed:
                print(f"staff member {outcome.staff.email} is {state} already")
            elif enabled:
                print(f"staff member {outcome.staff.email} enabled: may sign in again")
            else:
                print(
                    f"staff member {outcome.staff.email} disabled: sign-in refused, "
                    f"{outcome.tokens_revoked} tokens revoked"
                )
            return 0

        return run_with_database(settings, work, keys=False)

    return handler


def cmd_revoke_tokens(args: argparse.Namespace, settings: Settings) -> int:
    from domain.staff_admin import revoke_tokens

    async def work(vault: KeyVault | None) -> int:
        revoked = await revoke_tokens(None, args.email)
        print(f"staff member {args.email.strip().lower()}: {revoked} tokens revoked")
        return 0

    return run_with_database(settings, work, keys=False)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _flags(s: StaffSummary) -> str:
    named = (("administrator", s.is_administrator), ("superuser", s.is_superuser))
    flags = [name for name, on in (*named, ("disabled", s.disabled)) if on]
    return ",".join(flags) or "-"


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from domain.staff_admin import list_staff

    async def work(vault: KeyVault | None) -> int:
        rows = [("EMAIL", "FLAGS", "ROLES", "COMPANIES", "LAST SIGN-IN")]
        for s in await list_staff():
            rows.append(
                (
                    s.email,
                    _flags(s),
                    ",".join(s.roles) or "-",
                    ",".join(s.company_codes) or "-",
                    _when(s.last_sign_in_at),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=False)) + "  " + row[-1])
        print(f"{len(rows) - 1} staff members")
        return 0

    return run_with_database(settings, work, keys=False)


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    formatter: type[argparse.HelpFormatter],
) -> None:
    """The `staff` command and its subcommands."""
    staff = commands.add_parser(
        "staff",
        help="manage staff accounts (add, set, list, disable, enable, revoke-tokens)",
        description="Manage staff accounts. Every change is audited; a change of password, "
        "roles, administrator or superuser rights, and disabling, end the account's tokens.",
        formatter_class=formatter,
    ).add_subparsers(dest="staff_command", required=True, metavar="SUBCOMMAND")
    email_help = "the staff member's email (case-insensitive)"

    add = staff.add_parser(
        "add",
        help="add a staff member (refuses an email that has an account: use set)",
        description="Add a staff member. An email that has an account already is refused "
        "(exit 2): change it with `opsportal staff set`.",
        formatter_class=formatter,
    )
    add.add_argument("email", metavar="EMAIL", help=email_help)
    add.add_argument(
        "--password",
        required=True,
        metavar="P",
        help=f"the password: {RULES} (required; one starting with '-' goes as --password=-...)",
    )
    add.add_argument(
        "--administrator",
        action="store_true",
        help="every company and every right (default: not an administrator)",
    )
    add.add_argument(
        "--superuser", action="store_true", help="as an administrator (default: not a superuser)"
    )
    add.add_argument(
        "--role",
        action="append",
        default=[],
        choices=ROLE_CHOICES,
        help="a staff role: companyEdit (every company, edit companies and customers) or "
        "crmCompanyEdit (assigned companies' customers); repeatable (default: none)",
    )
    add.add_argument(
        "--assign",
        action="append",
        default=[],
        metavar="COMPANY_CODE",
        help="assign a company (the crmCompanyEdit scope); repeatable (default: none)",
    )
    add.set_defaults(handler=cmd_add)

    change = staff.add_parser(
        "set",
        help="change only what is named: password, rights, roles, assigned companies",
        description="Change a staff member: only what the options name changes. A new "
        "password, or a change of roles or administrator or superuser rights, ends the "
        "account's existing tokens (signed out everywhere).",
        formatter_class=formatter,
    )
    change.add_argument("email", metavar="EMAIL", help=email_help)
    change.add_argument("--password", metavar="P", help=f"a new password: {RULES} (default: kept)")
    change.add_argument(
        "--administrator",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="make an administrator, or with --no-administrator take it away (default: kept)",
    )
    change.add_argument(
        "--superuser",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="make a superuser, or with --no-superuser take it away (default: kept)",
    )
    for flag, dest, what in (
        ("--role", "role", "add a staff role"),
        ("--no-role", "no_role", "take a staff role away"),
    ):
        change.add_argument(
            flag,
            dest=dest,
            action="append",
            default=[],
            choices=ROLE_CHOICES,
            help=f"{what}; repeatable (default: roles kept)",
        )
    change.add_argument(
        "--assign",
        action="append",
        default=[],
        metavar="COMPANY_CODE",
        help="assign a company; repeatable (default: assignments kept)",
    )
    change.add_argument(
        "--unassign",
        action="append",
        default=[],
        metavar="COMPANY_CODE",
        help="unassign a company; repeatable (default: assignments kept)",
    )
    change.set_defaults(handler=cmd_set)

    listing = staff.add_parser(
        "list",
        help="list staff: email, flags, roles, assigned company codes, last sign-in",
        description="List every staff member: email, flags (administrator, superuser, "
        "disabled), roles, assigned company codes, and the last sign-in (UTC).",
        formatter_class=formatter,
    )
    listing.set_defaults(handler=cmd_list)

    for name, enabled, text in (
        ("disable", False, "disable: sign-in refused, every token revoked"),
        ("enable", True, "enable a disabled staff member again"),
    ):
        sub = staff.add_parser(
            name, help=text, description=text[0].upper() + text[1:] + ".", formatter_class=formatter
        )
        sub.add_argument("email", metavar="EMAIL", help=email_help)
        sub.set_defaults(handler=_cmd_enabled(enabled))

    revoke = staff.add_parser(
        "revoke-tokens",
        help="sign a staff member out everywhere (every token revoked)",
        description="Revoke every token of a staff member: signed out everywhere, the password "
        "and rights unchanged.",
        formatter_class=formatter,
    )
    revoke.add_argument("email", metavar="EMAIL", help=email_help)
    revoke.set_defaults(handler=cmd_revoke_tokens)
