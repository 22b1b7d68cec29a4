from csaudit.cli import run

run()
