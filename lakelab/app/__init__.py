"""The command-line app (Typer + Rich): the top layer, which nothing else imports."""
