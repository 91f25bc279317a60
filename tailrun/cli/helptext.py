"""Help without type placeholders: typer prints a ``<bool>``, ``<int>`` or ``<list[str]>`` beside every parameter.

Typer's rich help shows, for each option, its ``metavar`` when one is set and its Python type in angle brackets
otherwise (``TyperOption.display_type_rich``); for each argument, always the type. So every option of the CLI gives
a metavar that says what it takes (``SECONDS``, ``KEY=VALUE``, ``DIR``) and flags give ``""``; the command classes
here drop the type of arguments and of the ``--help`` flag (which typer creates itself), and write arguments in the
usage line as ``JOB`` and ``COMMAND...`` rather than ``{JOB}`` and ``{COMMAND}...``.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption


class PlainArgument(TyperArgument):
    """An argument shown by its name only (no ``<type>`` column, no braces in the usage line)."""

    def display_type_rich(self, ctx: Any) -> str | None:
        """No type placeholder: the argument's name and help say what it is."""
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if self.nargs != 1 and not name.endswith("..."):
            name += "..."
        return name if self.required else f"[{name}]"


def _plain_params(params: list[Any]) -> None:
    """Make the arguments among ``params`` ``PlainArgument``s (typer builds them as ``TyperArgument``)."""
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = PlainArgument


def _quiet_help(option: Any) -> Any:
    """The ``--help`` flag without its ``<bool>``."""
    if isinstance(option, TyperOption):
        option.metavar = ""
    return option


class PlainCommand(TyperCommand):
    """A command whose help has no type placeholders."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_params(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        """The ``-h``/``--help`` flag, shown without a type."""
        return _quiet_help(super().get_help_option(ctx))


class PlainGroup(TyperGroup):
    """The ``tailrun`` group, whose help has no type placeholders either."""

    def get_help_option(self, ctx: Any) -> Any:
        """The ``-h``/``--help`` flag, shown without a type."""
        return _quiet_help(super().get_help_option(ctx))
