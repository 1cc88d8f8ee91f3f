"""The ``grade`` subcommands, one module each; the CLI registers every command listed here."""
from .batch import batch_cmd
from .build import build_cmd
from .grade import grade_day
from .merge import merge_cmd
from .quiz import quiz_cmd
from .quiz_key import quiz_key_cmd

COMMANDS = [grade_day, build_cmd, quiz_cmd, quiz_key_cmd,
            batch_cmd, merge_cmd]
