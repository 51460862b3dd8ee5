"""Self-grading labs: the framework (`framework`), discovery (`registry`) and the CLI (`cli`).

The labs themselves live in the top-level `labs/` folder, one package per lab.
"""
