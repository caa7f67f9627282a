"""The command line's own words in Vietnamese: the usage line, the --help line and every
parse error (a missing option, an unknown option, a value of the wrong kind).

Typer carries its own copy of Click, whose words are fixed English strings without a
translation catalogue. They are replaced here at the edge, without touching the library:
the command classes below draw the usage line with a Vietnamese prefix, and every
``UsageError`` raised while the arguments are read is answered again in Vietnamese, from
the exception's fields (its kind, the option, the pydantic error that caused it) rather
than from its English text wherever the fields say enough.
"""

from __future__ import annotations

import re
from typing import Any

import typer
from typer import _click
from typer._click import exceptions as click_errors
from typer.core import TyperCommand, TyperGroup

USAGE = "Cách dùng: "
OPTIONS_METAVAR = "[TÙY CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM SỐ]..."
HELP_LINE = "Hiện hướng dẫn này rồi thoát."

_KIND = {"option": "tùy chọn", "argument": "tham số", "parameter": "giá trị"}

# What pydantic says of a value, by its error type (Typer reads values through pydantic).
_VALUE_ERRORS = {
    "int_parsing": "cần là một số nguyên",
    "int_from_float": "cần là một số nguyên",
    "int_type": "cần là một số nguyên",
    "float_parsing": "cần là một số",
    "float_type": "cần là một số",
    "decimal_parsing": "cần là một số",
    "bool_parsing": "cần là có hoặc không (true/false, 1/0)",
    "date_parsing": "cần là một ngày (YYYY-MM-DD)",
    "date_from_datetime_parsing": "cần là một ngày (YYYY-MM-DD)",
    "datetime_parsing": "cần là một thời điểm (YYYY-MM-DDTHH:MM)",
    "datetime_from_date_parsing": "cần là một thời điểm (YYYY-MM-DDTHH:MM)",
    "uuid_parsing": "cần là một mã UUID",
    "string_too_long": "quá dài",
    "string_too_short": "quá ngắn",
    "missing": "chưa có giá trị",
}
_BOUNDS = {"greater_than": "cần lớn hơn {gt}", "greater_than_equal": "cần từ {ge} trở lên",
           "less_than": "cần nhỏ hơn {lt}", "less_than_equal": "cần không quá {le}"}
_CHOICE_ERRORS = ("enum", "literal_error")

# The English sentences Typer writes itself (no fields to read them from).
_SENTENCES = (
    (re.compile(r"^(?:File|Directory|Path) (?P<p>.+) does not exist\.$"), "{p} không tồn tại."),
    (re.compile(r"^(?:File|Directory|Path) (?P<p>.+) is a file\.$"), "{p} là một tệp, cần một thư mục."),
    (re.compile(r"^(?:File|Directory|Path) (?P<p>.+) is a directory\.$"),
     "{p} là một thư mục, cần một tệp."),
    (re.compile(r"^(?:File|Directory|Path) (?P<p>.+) is not readable\.$"), "Không đọc được {p}."),
    (re.compile(r"^(?:File|Directory|Path) (?P<p>.+) is not writable\.$"), "Không ghi được vào {p}."),
    (re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((?P<a>.*)\)$"), "Thừa tham số: {a}."),
    (re.compile(r"^Missing command\.$"), "Thiếu tên lệnh."),
    (re.compile(r"^No such command '(?P<c>.*)'\. Did you mean (?P<m>.+)\?$"),
     "Không có lệnh '{c}'. Có phải ý bạn là: {m}?"),
    (re.compile(r"^No such command '(?P<c>.*)'\.$"), "Không có lệnh '{c}'."),
    (re.compile(r"^Value must be an iterable\.$"), "Cần một danh sách giá trị."),
    (re.compile(r"^Value (?P<v>.+) is not a valid (?P<k>.+)\.$"), "Giá trị {v} không hợp lệ."),
)


def _sentence(text: str) -> str:
    for pattern, vietnamese in _SENTENCES:
        found = pattern.match(text)
        if found:
            return vietnamese.format(**found.groupdict())
    return text


def _value_problem(error: click_errors.BadParameter) -> str:
    cause = error.__cause__
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if not errors:
        return _sentence(error.message)
    first = errors[0]
    kind, context = first.get("type", ""), first.get("ctx") or {}
    if kind in _VALUE_ERRORS:
        return _VALUE_ERRORS[kind]
    if kind in _BOUNDS:
        return _BOUNDS[kind].format(**{k: str(v) for k, v in context.items()})
    if kind in _CHOICE_ERRORS:
        expected = str(context.get("expected", "")).replace(" or ", ", ")
        return f"cần là một trong: {expected}" if expected else "không nằm trong các giá trị được phép"
    return "không đúng kiểu giá trị cần nhập"


def _hint(error: click_errors.BadParameter) -> str:
    hint = error.param_hint
    if hint is None and error.param is not None:
        hint = error.param.get_error_hint()
    if isinstance(hint, (list, tuple)):
        return " / ".join(f"'{h}'" for h in hint)
    return str(hint) if hint else ""


def vietnamese_message(error: click_errors.UsageError) -> str:
    """The Vietnamese sentence for a parse error, from what the exception carries."""
    if isinstance(error, click_errors.MissingParameter):
        kind = error.param_type or (error.param.param_type_name if error.param else "parameter")
        return f"Thiếu {_KIND.get(kind, 'giá trị')} {_hint(error)}.".replace("  ", " ")
    if isinstance(error, click_errors.BadParameter):
        hint = _hint(error)
        problem = _value_problem(error)
        return f"Giá trị của {hint} không hợp lệ: {problem}." if hint else f"{problem}."
    if isinstance(error, click_errors.NoSuchOption):
        text = f"Không có tùy chọn {error.option_name}."
        if error.possibilities:
            text += f" Có phải ý bạn là: {', '.join(sorted(error.possibilities))}?"
        return text
    if isinstance(error, click_errors.BadOptionUsage):
        if "does not take a value" in error.message:
            return f"Tùy chọn {error.option_name} không nhận giá trị."
        return f"Tùy chọn {error.option_name} cần giá trị đi kèm."
    if isinstance(error, click_errors.BadArgumentUsage):
        found = re.match(r"^Argument '(?P<d>.+)' takes (?P<n>\d+) values\.$", error.message)
        if found:
            return f"Tham số '{found['d']}' cần {found['n']} giá trị."
    return _sentence(error.message)


def _in_vietnamese(error: click_errors.UsageError,
                   ctx: _click.Context) -> click_errors.UsageError:
    if isinstance(error, click_errors.NoArgsIsHelpError):
        return error
    translated = click_errors.UsageError(vietnamese_message(error), error.ctx or ctx)
    translated.exit_code = error.exit_code
    return translated


# The kinds of value the help screens show beside each option ("<int>", "<path>").
_TYPE_WORDS = {"str": "chữ", "int": "số nguyên", "float": "số", "bool": None,
               "path": "đường dẫn", "file": "tệp", "directory": "thư mục",
               "datetime": "thời điểm", "date": "ngày", "int range": "số nguyên",
               "float range": "số", "uuid": "UUID", "decimal": "số"}


def vietnamese_type(label: str | None) -> str | None:
    """``<int>`` → ``<số nguyên>``; a flag (``<bool>``) shows no kind; choices stay."""
    if not label or not (label.startswith("<") and label.endswith(">")):
        return label
    inner = label[1:-1]
    listed = re.fullmatch(r"list\[(.+)\]", inner)
    if listed:
        word = _TYPE_WORDS.get(listed[1], listed[1])
        return f"<danh sách {word}>"
    if inner not in _TYPE_WORDS:
        return label
    word = _TYPE_WORDS[inner]
    return None if word is None else f"<{word}>"


def _shown_in_vietnamese(param: Any) -> None:
    original = param.display_type_rich

    def display_type_rich(ctx: _click.Context) -> str | None:
        return vietnamese_type(original(ctx))

    param.display_type_rich = display_type_rich


class _Vietnamese:
    """Shared by the command and the group classes (a mixin over Typer's own)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:  # type: ignore[attr-defined]
            _shown_in_vietnamese(param)

    def format_usage(self, ctx: _click.Context, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=USAGE)

    def get_help_option(self, ctx: _click.Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None and option.help != HELP_LINE:
            option.help = HELP_LINE
            _shown_in_vietnamese(option)
        return option

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click_errors.UsageError as error:
            raise _in_vietnamese(error, ctx) from None


class VietnameseCommand(_Vietnamese, TyperCommand):
    pass


class VietnameseGroup(_Vietnamese, TyperGroup):
    def resolve_command(self, ctx: _click.Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except click_errors.UsageError as error:
            raise _in_vietnamese(error, ctx) from None


class VietnameseTyper(typer.Typer):
    """A ``typer.Typer`` whose groups and commands speak Vietnamese."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", VietnameseGroup)
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", SUBCOMMAND_METAVAR)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", VietnameseCommand)
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        return super().command(*args, **kwargs)
