"""``csaudit inspect`` as text, with hostile values in the file."""

from __future__ import annotations

from tests.test_cli_output import run


def test_inspect_shows_control_characters_instead_of_sending_them_to_the_terminal(tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(
        "id,Source,created_at\n1,[/]x,2024-01-01 08:00:00\n2,\x1b[31mred,2024-01-01 08:00:00\n", encoding="utf-8"
    )
    result = run("inspect", export, "--map", "channel=Source")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    line = next(line for line in result.stdout.splitlines() if line.startswith("channels"))
    assert line.split(None, 1)[1] == "\\x1b[31mred 1, [/]x 1"
