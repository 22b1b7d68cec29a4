try:
    from csaudit.cli import run
except KeyboardInterrupt:  # Ctrl-C while the program starts (its imports): no traceback
    raise SystemExit(130) from None

run()
