"""The ``grade`` subcommands, one module each; the CLI registers every command listed here."""
from .build import build_cmd
from .grade import grade_day

COMMANDS = [grade_day, build_cmd]
