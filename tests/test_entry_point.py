"""The program's entry point (``python -m csaudit``, the ``csaudit`` script) exits without
tearing the interpreter down: its output must still be whole, its exit code right, and its
temporary files gone."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "helpdesk_export.csv"


def csaudit(*args, tmp):
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.run([sys.executable, "-m", "csaudit", *args], capture_output=True, text=True, env=env, cwd=REPO)


def test_output_is_whole_the_code_right_and_no_temporary_file_left(tmp_path):
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(EXAMPLE.read_bytes()))  # read through a temporary file
    done = csaudit("check", str(packed), "-p", "stanford", "--format", "json", tmp=tmp_path)
    assert done.returncode == 1, done.stderr  # the example fails some standards
    report = json.loads(done.stdout)
    assert report["summary"]["exit_code"] == 1 and report["input"]["rows"] == 1601
    assert [p.name for p in tmp_path.iterdir()] == ["export.csv.gz"]


def test_usage_errors_keep_exit_code_2_and_their_message(tmp_path):
    done = csaudit("check", str(tmp_path / "missing.csv"), "-p", "stanford", tmp=tmp_path)
    assert done.returncode == 2
    assert "missing.csv" in done.stderr and done.stdout == ""
