"""A small stand-in for AWS Glue's `awsglue` library, only for the emulator's job runner (emulator/glue_runner.py):
getResolvedOptions, GlueContext and Job, as far as a Spark script that uses plain Spark and boto3 needs them."""
