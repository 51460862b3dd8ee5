from lakelab.cli import main

main()
