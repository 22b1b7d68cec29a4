from csaudit.cli import main

main()
