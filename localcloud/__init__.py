"""The local twin: a learner's AWS and Azure labs on emulators bound to 127.0.0.1.

One module per concern, as in moto:

- `emulators`: starting, watching and stopping the emulator processes; prerequisites.
- `state`: the state folder (`~/.lakelab` or `LAKELAB_STATE_DIR`) and what it records.
- `aws/`: moto made durable (`server`, `journal`) and resource-aware (`authz`), and one module
  per service the twin provisions (`s3`, `glue`, `athena`, `iam`), with `learner` tying them
  to a blueprint.
- `azure/`: Azurite (`blob`, `azurite_launcher.js`) and the serverless SQL catalog stand-in
  (`synapse`), with `learner` tying them to a blueprint.
- `twin`: the operations (up, status, show, env, rm, down); `cli` exposes them as
  `lakelab local`; `inventory` reads a learner's twin back; `profiles` writes their
  endpoints and credentials; `show` draws the tables.

See docs/local-twin.md.
"""
