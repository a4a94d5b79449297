from kubelint.cli import main

main()
