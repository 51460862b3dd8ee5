"""The Azure side of the local twin: Azurite as the emulator.

Each learner gets their own storage account in Azurite (`Names.storage_account`), with one
container per layer plus `artifacts`, exactly like the cloud lake; their credential is that
account's key, which Azurite accepts for that account only. `blob` manages accounts and
containers, `synapse` the serverless SQL catalog stand-in (DuckDB).
"""
