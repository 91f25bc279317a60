"""A job's output cannot drive the user's terminal: only SGR colours get through, and a cut line says it was cut.

The sanitizer is tested class by class, then as a property (nothing a terminal acts on survives it), then through
the display, then end to end: real jobs through a real `tailrun dev`, read on a pseudo-terminal and through pipes.
"""

from __future__ import annotations

import io
import re
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from tailrun.cli.follow import OutputLine
from tailrun.cli.render import TerminalDisplay, clean, cut_size

from .stack import Cli, Terminal

PY = sys.executable
ESC = "\x1b"
CONTROLS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")  # what may never reach a terminal outside a kept SGR
SGR = re.compile(r"\x1b\[[0-9;:]*m")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        pytest.param("a\x1b]52;c;ZXZpbA==\x07b", "ab", id="OSC 52 clipboard write, BEL-terminated"),
        pytest.param("a\x1b]52;c;ZXZpbA==\x1b\\b", "ab", id="OSC 52 clipboard write, ST-terminated"),
        pytest.param("a\x1b]52;c;?\x07b", "ab", id="OSC 52 clipboard read"),
        pytest.param("\x1b]0;pwned\x07title", "title", id="OSC 0 icon and window title"),
        pytest.param("\x1b]2;pwned\x1b\\title", "title", id="OSC 2 window title, ST"),
        pytest.param(
            "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
            "link",
            id="OSC 8 hyperlink: its text stays",
        ),
        pytest.param("before\x1b[2Jafter", "beforeafter", id="CSI 2J clears the screen"),
        pytest.param("\x1b[Hhome\x1b[10;20H", "home", id="CSI H moves the cursor"),
        pytest.param("\x1b[3Aup\x1b[2K\x1b[K", "up", id="CSI cursor up and erase line"),
        pytest.param("\x1b[?1049halt\x1b[?1049l", "alt", id="CSI ?1049h alternate screen"),
        pytest.param("\x1b[?25lhidden", "hidden", id="CSI ?25l hides the cursor"),
        pytest.param("\x1b[>4;2mkeys", "keys", id="CSI > m is not SGR (xterm key modifiers)"),
        pytest.param("\x1b[6n\x1b[21tq", "q", id="CSI reports the terminal answers as typed input"),
        pytest.param("a\x1bcb", "ab", id="ESC c resets the terminal (RIS)"),
        pytest.param("\x1b#8\x1b(0\x1b7x\x1b8", "x", id="other ESC sequences (DECALN, charset, save cursor)"),
        pytest.param("\x1bP1$qm\x1b\\dcs", "dcs", id="DCS string"),
        pytest.param("\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\ok", "ok", id="APC, PM and SOS strings"),
        pytest.param("x\x1b]52;c;ZXZpbA==", "x", id="an unterminated OSC takes the rest of the line"),
        pytest.param("\x1bPq#0;2;0;0;0\x1b]0;t\x07y", "y", id="an ESC aborts a string, as on a terminal"),
        pytest.param("\x9b2Jeight\x9b31m", "eight", id="8-bit C1 CSI, even as SGR"),
        pytest.param("\x9d52;c;ZXZpbA==\x9cosc", "osc", id="8-bit C1 OSC with 8-bit ST"),
        pytest.param("\x90dcs\x9c\x9e\x9f\x85\x8d\x9cc1", "c1", id="8-bit DCS and lone C1 controls"),
        pytest.param("end\x1b", "end", id="a lone ESC at the end of the line"),
        pytest.param("end\x1b[", "end", id="an unfinished CSI at the end of the line"),
        pytest.param(
            "bell\x07 bs\x08 cr\r ff\x0c nul\x00 del\x7f vt\x0b", "bell bs cr ff nul del vt", id="C0 and DEL"
        ),
        pytest.param("\x1b\x1b[31mred", "\x1b[31mred", id="a lone ESC before an SGR"),
        pytest.param("\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m", id="SGR colour and reset kept"),
        pytest.param(
            "\x1b[1;4;38;5;196mx\x1b[m", "\x1b[1;4;38;5;196mx\x1b[m", id="SGR 256 colours and short reset"
        ),
        pytest.param(
            "\x1b[38;2;255;0;10mx\x1b[48:2::1:2:3my",
            "\x1b[38;2;255;0;10mx\x1b[48:2::1:2:3my",
            id="SGR truecolor, both notations",
        ),
        pytest.param("a\tb\t\tc", "a\tb\t\tc", id="tabs kept"),
        pytest.param(
            "plain [bold]text[/] :smile: é 漢字",
            "plain [bold]text[/] :smile: é 漢字",
            id="plain text unchanged",
        ),
    ],
)
def test_clean_keeps_colours_and_removes_every_other_control_sequence(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_without_colours_clean_removes_sgr_too() -> None:
    assert clean("\x1b[31mred\x1b[0m \x1b]52;c;eA==\x07\tok", keep_sgr=False) == "red \tok"


def _controls_outside_sgr(text: str, allowed: str = "\t") -> list[str]:
    return [found for found in CONTROLS.findall(SGR.sub("", text)) if found not in allowed]


TERMINAL_ALPHABET = st.sampled_from(
    [
        ESC,
        "[",
        "]",
        "P",
        "X",
        "^",
        "_",
        "\\",
        "\x07",
        "\x9b",
        "\x9c",
        "\x9d",
        "\x90",
        "\x85",
        "\r",
        "\n",
        "\t",
        "\x00",
        "\x7f",
        ";",
        ":",
        "?",
        "0",
        "1",
        "2",
        "5",
        "m",
        "H",
        "J",
        "c",
        "#",
        "(",
        " ",
        "a",
        "é",
    ]
)


@given(st.text(TERMINAL_ALPHABET, max_size=60) | st.text(max_size=60))
def test_nothing_a_terminal_acts_on_survives_clean(text: str) -> None:
    kept = clean(text)
    assert _controls_outside_sgr(kept) == []
    assert CONTROLS.sub("", clean(text, keep_sgr=False).replace("\t", "")) == clean(
        text, keep_sgr=False
    ).replace("\t", "")
    assert clean(kept) == kept, "cleaning twice changes nothing"
    if not CONTROLS.search(text.replace("\t", "")):
        assert kept == text, "text without controls is left alone"


def test_a_cut_line_says_how_much_the_runner_kept() -> None:
    assert cut_size("x" * 32768) == "32 KiB"
    assert cut_size("é" * 16383) == "32 KiB"  # cut at a character boundary, a byte short
    assert cut_size("ab") == "2 bytes"


def terminal_display() -> tuple[TerminalDisplay, io.StringIO]:
    display = TerminalDisplay("job1", interactive=True)
    screen = io.StringIO()
    display.out = Console(
        file=screen, force_terminal=True, color_system="truecolor", width=120, highlight=False
    )
    return display, screen


def test_on_a_terminal_a_line_keeps_its_colours_and_loses_its_clipboard_write() -> None:
    display, screen = terminal_display()
    display.lines(
        [OutputLine(0, "stdout", "\x1b]52;c;ZXZpbA==\x07\x1b[32mgreen\x1b[0m \x1b]0;t\x07\x1b[2Jplain")]
    )
    shown = screen.getvalue()
    assert "\x1b[32mgreen" in shown and "plain" in shown
    assert _controls_outside_sgr(shown, allowed="\t\n") == [] and "ZXZpbA" not in shown


def test_on_a_terminal_a_line_is_never_read_as_markup_or_emoji_codes() -> None:
    display, screen = terminal_display()
    display.lines([OutputLine(0, "stdout", "[bold red]not markup[/] :smile: [link=x]y[/link]")])
    assert screen.getvalue().rstrip("\n") == "[bold red]not markup[/] :smile: [link=x]y[/link]"


def test_on_a_terminal_a_cut_line_ends_with_a_dim_note() -> None:
    display, screen = terminal_display()
    display.lines([OutputLine(0, "stdout", "x" * 32768, cut=True, partial=True)])
    shown = screen.getvalue()
    assert shown.count("x") == 32768
    assert "\x1b[2m … [line cut at 32 KiB]\x1b[0m" in shown


def test_a_progress_step_or_a_note_from_the_job_is_cleaned_and_not_markup(
    capsys: pytest.CaptureFixture[str],
) -> None:
    display = TerminalDisplay("job1", interactive=False)
    display.job(
        {"status": "running", "progress": {"percent": 5, "step": "\x1b]52;c;eA==\x07[red]step[/] :smile:"}}
    )
    assert capsys.readouterr().err.splitlines()[-1] == "tailrun: progress 5% [red]step[/] :smile:"


def test_in_a_pipe_lines_keep_colours_lose_other_sequences_and_cut_ones_say_so(
    capsys: pytest.CaptureFixture[str],
) -> None:
    display = TerminalDisplay("job1", interactive=False)
    display.lines(
        [
            OutputLine(0, "stdout", "\x1b[31mred\x1b[0m\x1b]52;c;ZXZpbA==\x07"),
            OutputLine(1, "stderr", "\x1b]2;title\x1b\\err\x1bc"),
            OutputLine(2, "stdout", "y" * 2048, cut=True),
            OutputLine(3, "stdout", "last", partial=True),
        ]
    )
    captured = capsys.readouterr()
    assert captured.out == "\x1b[31mred\x1b[0m\n" + "y" * 2048 + " … [tailrun: line cut at 2 KiB]\nlast"
    assert captured.err == "err\n"


def test_raw_writes_the_stored_text_and_notes_a_cut_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    display = TerminalDisplay("job1", interactive=False, raw=True)
    display.lines(
        [OutputLine(0, "stdout", "\x1b]52;c;ZXZpbA==\x07x"), OutputLine(1, "stdout", "z" * 4096, cut=True)]
    )
    captured = capsys.readouterr()
    assert captured.out == "\x1b]52;c;ZXZpbA==\x07x\n" + "z" * 4096 + "\n"
    assert captured.err == "tailrun: line 1 was cut by the runner at 4 KiB\n"


def test_no_color_removes_the_jobs_colours(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    TerminalDisplay("job1", interactive=False).lines([OutputLine(0, "stdout", "\x1b[31mred\x1b[0m")])
    assert capsys.readouterr().out == "red\n"


# End to end: a job that tries to write the clipboard, retitle the window and clear the screen, in colour.
PAYLOAD = "c3RvbGVuIGNsaXBib2FyZA=="
HOSTILE_JOB = (
    "import sys\n"
    f"print('\\x1b]52;c;{PAYLOAD}\\x07\\x1b[31mRED-TEXT\\x1b[0m plain-text\\x1b]0;pwned-title\\x07', flush=True)\n"
    f"print('\\x1b]52;c;{PAYLOAD}\\x1b\\\\\\x1b[2J\\x1b[H\\x1b[?1049h\\x1bcafter-clear', flush=True)\n"
    f"print('\\x1b]52;c;{PAYLOAD}\\x07\\x1b[1;33merr-text\\x1b[0m', file=sys.stderr, flush=True)\n"
)


def assert_no_terminal_control(output: str) -> None:
    assert PAYLOAD not in output and "]52;" not in output, "the clipboard write reached the output"
    assert "pwned-title" not in output and "\x1b]" not in output
    assert "\x1b[2J" not in output and "\x1b[?1049h" not in output and "\x1bc" not in output


def test_run_on_a_terminal_shows_the_colours_but_never_the_clipboard_write(cli: Cli) -> None:
    terminal = Terminal.spawn(cli, "run", "--", PY, "-c", HOSTILE_JOB)
    assert terminal.wait() == 0, terminal.output
    assert (
        "RED-TEXT" in terminal.output and "after-clear" in terminal.output and "err-text" in terminal.output
    )
    assert re.search(r"\x1b\[(?:[0-9;]*;)?31m(?:\x1b\[[0-9;]*m)*RED-TEXT", terminal.output), terminal.output
    assert_no_terminal_control(terminal.output)


def test_run_in_pipes_keeps_colours_only(cli: Cli) -> None:
    answer = cli("run", "--", PY, "-c", HOSTILE_JOB)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == "\x1b[31mRED-TEXT\x1b[0m plain-text\nafter-clear\n"
    assert "\x1b[1;33merr-text\x1b[0m\n" in answer.stderr
    assert_no_terminal_control(answer.stdout + answer.stderr)


def test_logs_on_a_terminal_and_in_pipes_keep_colours_only_and_raw_keeps_everything(cli: Cli) -> None:
    submitted = cli("run", "--detach", "--", PY, "-c", HOSTILE_JOB)
    assert submitted.returncode == 0, submitted.stderr
    job_id = submitted.stdout.strip()

    followed = cli("logs", "-f", job_id)  # returns once the job has ended and every line was shown
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout == "\x1b[31mRED-TEXT\x1b[0m plain-text\nafter-clear\n"
    assert_no_terminal_control(followed.stdout + followed.stderr)

    piped = cli("logs", job_id)
    assert (piped.returncode, piped.stdout) == (0, followed.stdout), piped.stderr
    assert "\x1b[1;33merr-text\x1b[0m\n" in piped.stderr
    assert_no_terminal_control(piped.stdout + piped.stderr)

    terminal = Terminal.spawn(cli, "logs", job_id)
    assert terminal.wait() == 0, terminal.output
    assert "\x1b[31mRED-TEXT\x1b[0m plain-text\x1b[0m" in terminal.output  # and a reset after a coloured line
    assert_no_terminal_control(terminal.output)

    raw = cli("logs", "--raw", job_id)
    assert f"\x1b]52;c;{PAYLOAD}\x07\x1b[31mRED-TEXT" in raw.stdout, "--raw is the stored text, unchanged"


CUT_JOB = "import sys\nsys.stdout.write('x' * 50000)\nsys.stdout.flush()\n"


def test_a_line_cut_by_the_runner_is_shown_as_cut(cli: Cli) -> None:
    answer = cli("run", "--", PY, "-c", CUT_JOB)
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout == "x" * 32768 + " … [tailrun: line cut at 32 KiB]\n"

    terminal = Terminal.spawn(cli, "run", "--", PY, "-c", CUT_JOB)
    assert terminal.wait() == 0, terminal.output
    assert "[line cut at 32 KiB]" in terminal.output
