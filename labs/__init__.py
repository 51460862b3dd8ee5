"""The labs: one package per lab, each exposing `LAB` (see lakelab/labs/framework.py)."""
