"""Every sandbox example in the README, run as written: the output must be the README's, except
for what moves on its own (times and dates, which follow today; cursors; fence nonces)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from processes import env_for, run_cli

README = Path(__file__).resolve().parents[1] / "README.md"
MOVING = (
    (re.compile(r'cursor="[^"]+"'), 'cursor="…"'),
    (re.compile(r"\bdata\d{6}\b"), "dataNNNNNN"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}\b"), "YYYY-MM-DD hh:mm"),
    (
        re.compile(r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?: \d{4})? \d{2}:\d{2}\b"),
        "D Mon hh:mm",
    ),
    (re.compile(r"UTC \(\d{4}\)"), "UTC (YYYY)"),
    (re.compile(r'confirmation="[A-Z2-7]{4}-[A-Z2-7]{4}"'), 'confirmation="CODE"'),
)


def examples() -> list[tuple[str, str]]:
    """(command, expected output) of each `$ leadinbox-mcp call --sandbox ...` in a text block
    (after any `NAME=value` settings)."""
    found = []
    for block in re.findall(r"```text\n(.*?)```", README.read_text(encoding="utf-8"), re.S):
        for command, output in re.findall(
            r"^\$ ((?:[A-Z_]+=\S+ )*leadinbox-mcp call --sandbox [^\n]*)\n((?:(?!\$ )[^\n]*\n)*)", block, re.M
        ):
            found.append((command.split("#")[0].strip(), output))
    return found


def steady(text: str) -> str:
    for pattern, replacement in MOVING:
        text = pattern.sub(replacement, text)
    return text.strip()


def split(command: str) -> tuple[dict[str, str], list[str]]:
    """The settings before the command, and the command's arguments after `leadinbox-mcp`."""
    words = shlex.split(command)
    at = words.index("leadinbox-mcp")
    return dict(word.split("=", 1) for word in words[:at]), words[at + 1 :]


def test_the_readme_has_sandbox_examples_of_every_tool():
    tools = {split(command)[1][2] for command, _ in examples()}
    assert tools == {
        "list_conversations",
        "get_thread",
        "get_attachment",
        "search_by_domain",
        "list_accounts",
        "save_draft",
        "send_reply",
    }


@pytest.mark.parametrize(("command", "expected"), examples(), ids=lambda value: value.split("\n")[0][:60])
def test_a_readme_example_prints_what_the_readme_says(command: str, expected: str):
    settings, arguments = split(command)
    done = run_cli(*arguments, env={**env_for(None), **settings})
    # A write's log line (stderr) is not part of the answer the README shows.
    stderr = "".join(line for line in done.stderr.splitlines(True) if " INFO leadinbox_mcp.writes: " not in line)
    assert steady(done.stdout + stderr) == steady(expected), command
