"""The ``grade`` subcommands, one module each; the CLI registers every command listed here."""
from .batch import batch_cmd
from .build import build_cmd
from .check_course import check_course_cmd
from .export import export_cmd
from .grade import grade_day
from .hint import hint_cmd
from .init_ci import init_ci_cmd
from .init_gradescope import init_gradescope_cmd
from .listing import list_cmd
from .merge import merge_cmd
from .quiz import quiz_cmd
from .quiz_key import quiz_key_cmd
from .watch import watch_cmd

COMMANDS = [grade_day, build_cmd, quiz_cmd, quiz_key_cmd, list_cmd, hint_cmd, watch_cmd,
            batch_cmd, merge_cmd, export_cmd, check_course_cmd,
            init_ci_cmd, init_gradescope_cmd]
