"""The AWS side of the local twin: moto as the emulator, one module per service.

`server` and `journal` make moto durable; `authz` adds resource-level IAM checks for Glue and
Athena; `s3`, `glue`, `athena` and `iam` provision, inspect and remove a learner's resources
through the ordinary AWS API, so they work the same against moto or an existing endpoint.
"""
