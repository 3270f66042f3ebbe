"""`--help` of every command describes every option with its default and says which repeat;
`opsportal --help` lists every environment variable the configuration reads."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

from opsportal.cli import parser
from testkit.command import clean_environment
from tests.cli_helpers import Cli

ROOT = Path(__file__).resolve().parents[1]


def _commands(
    command: argparse.ArgumentParser, name: str = "opsportal"
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, command
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _commands(sub, f"{name} {sub_name}")


def test_every_option_says_its_default_and_whether_it_repeats() -> None:
    problems = []
    commands = dict(_commands(parser()))
    assert {"opsportal staff set", "opsportal companies import", "opsportal serve"} <= set(commands)
    for name, command in commands.items():
        if not command.description:
            problems.append(f"{name}: no description")
        for action in command._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
                continue
            what = f"{name} {'/'.join(action.option_strings) or action.metavar}"
            text = action.help or ""
            if not text:
                problems.append(f"{what}: no help")
                continue
            if not action.option_strings:
                continue  # a positional: always given
            if "(default:" not in text and not (action.required and "required" in text):
                problems.append(f"{what}: no default said")
            repeats = isinstance(action, argparse._AppendAction)
            if repeats != ("repeatable" in text):
                problems.append(f"{what}: repeatable is {repeats}, the help says otherwise")
    assert problems == []


def _help(tmp_path: Path, *args: str) -> str:
    done = Cli(tmp_path, clean_environment(), "")(*args, "--help")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_top_help_lists_every_environment_variable(tmp_path: Path) -> None:
    config = (ROOT / "opsportal" / "config.py").read_text()
    read = set(re.findall(r'"((?:OPSPORTAL_[A-Z_]+)|DATABASE_URL)"', config))
    assert len(read) >= 13
    shown = _help(tmp_path)
    listed = set(re.findall(r"^  ([A-Z_]+)  \(default: [^)]+\)$", shown, re.M))
    assert read <= listed, sorted(read - listed)
    for command in ("serve", "staff", "companies", "demo", "keygen", "keys", "schema"):
        assert re.search(rf"^    {command}\b", shown, re.M), command


def test_a_command_help_as_the_operator_reads_it(tmp_path: Path) -> None:
    shown = " ".join(_help(tmp_path, "staff", "set").split())
    assert "--administrator, --no-administrator make an administrator" in shown
    assert "--no-role {companyEdit,crmCompanyEdit} take a staff role away; repeatable" in shown
    assert "--unassign COMPANY_CODE unassign a company; repeatable (default: assignments kept)" in (
        shown
    )
    serve = " ".join(_help(tmp_path, "serve").split())
    assert "--port PORT the port to listen on (default: 8000)" in serve
