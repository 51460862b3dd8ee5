from lakelab.app.main import main

main()
