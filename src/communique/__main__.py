from communique.cli import main

main()
