"""``python -m csaudit`` and the ``csaudit`` script (pyproject's entry point): the CLI, with a
Ctrl-C during its imports (the first few tenths of a second) ending like one during the audit,
exit 130 and no traceback."""


def main() -> None:
    try:
        from csaudit.cli import run
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    run()


if __name__ == "__main__":
    main()
