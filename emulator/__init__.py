"""The emulated AWS of the lab: moto for the control plane, with Athena answered by Trino and Glue job runs
executed on local pyspark (see emulator/server.py). Started by `python3 -m emulator`."""
