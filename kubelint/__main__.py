from kubelint.fastpath import main

main()
