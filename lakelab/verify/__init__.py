"""`lakelab verify`: the acceptance run an instructor does on a real account.

One run deploys a stack with the real Pulumi CLI, lands sample data as the learner, runs the
stack's pipeline, queries gold through the cloud's query engine, compares it with gold built
locally from the same data, destroys the stack, sweeps by tag and prints a receipt.

- `steps`: the steps, in order, and what each does on a cloud (also what `--dry-run` prints).
- `pulumi_cli`: the `pulumi` commands verify runs, with their output kept in a log.
- `reference`: gold from the same landing files, built locally.
- `runner`: runs the steps, stops at the first failure and still destroys what it created.
- `receipt`: what was created, how long each step took, what it cost, what is left.
"""
