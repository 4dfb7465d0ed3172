"""The Glue adapter's read of the source credentials against moto (real boto3 clients): the connection the editor's
Terraform makes has SECRET_ID and no PASSWORD, and the job reads the password from the secret the editor stored
({"username", "password"}). moto nests GetConnection's fields under "Connection" where AWS returns them at the top
level: test/iac/moto_glue_server.py (test-only) puts them where AWS does, as for the Terraform run on moto."""
import importlib.util
import json
import os

import pytest

from glue_adapter import GlueAdapter
from job_common import JobError

REGION = "us-east-1"
ARGS = {"connection_name": "de-c1w2-source-connection", "source_database": "classicmodels",
        "lake_path": "s3://lab-lake", "catalog_database": "de_c1w2_lake", "sql_prefix": "s3://lab-scripts/glue/sql"}
URL = "jdbc:mysql://de-c1w2-rds.abc.us-east-1.rds.amazonaws.com:3306/classicmodels"


@pytest.fixture(scope="module")
def moto_endpoint():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("moto is not installed. To enable: bash scripts/setup.sh --test (pip install 'moto[server]')")
    launcher = os.path.join(os.path.dirname(__file__), "..", "..", "test", "iac", "moto_glue_server.py")
    spec = importlib.util.spec_from_file_location("moto_glue_server", launcher)
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # patches moto's Glue responses in this process
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def clients(moto_endpoint):
    import boto3
    import requests
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10)
    kwargs = {"region_name": REGION, "endpoint_url": moto_endpoint,
              "aws_access_key_id": "test", "aws_secret_access_key": "test"}
    return {name: boto3.client(name, **kwargs) for name in ("glue", "s3", "secretsmanager")}


def make_connection(glue, properties):
    glue.create_connection(ConnectionInput={
        "Name": ARGS["connection_name"], "ConnectionType": "JDBC",
        "ConnectionProperties": {"JDBC_CONNECTION_URL": URL, "JDBC_ENFORCE_SSL": "false", **properties}})


def adapter(clients):
    return GlueAdapter(ARGS, clients["glue"], clients["s3"], clients["secretsmanager"])


def test_the_password_comes_from_the_connections_secret(clients):
    arn = clients["secretsmanager"].create_secret(
        Name="lifecycle-lab/de-c1w2/source-database",
        SecretString=json.dumps({"username": "admin", "password": "pw-from-the-secret"}))["ARN"]
    make_connection(clients["glue"], {"SECRET_ID": arn})
    props = clients["glue"].get_connection(Name=ARGS["connection_name"])["Connection"]["ConnectionProperties"]
    assert "PASSWORD" not in props and props["SECRET_ID"] == arn
    conn = adapter(clients)._connection()
    assert (conn["user"], conn["password"]) == ("admin", "pw-from-the-secret")
    assert conn["url"] == URL


def test_a_new_version_of_the_secret_is_read_at_run_time(clients):
    sm = clients["secretsmanager"]
    arn = sm.create_secret(Name="lifecycle-lab/de-c1w2/source-database",
                           SecretString=json.dumps({"username": "admin", "password": "first"}))["ARN"]
    make_connection(clients["glue"], {"SECRET_ID": arn})
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"username": "admin", "password": "second"}))
    assert adapter(clients)._connection()["password"] == "second"


def test_a_deleted_secret_fails_the_run_naming_the_connection(clients):
    sm = clients["secretsmanager"]
    arn = sm.create_secret(Name="lifecycle-lab/de-c1w2/source-database",
                           SecretString=json.dumps({"username": "admin", "password": "gone"}))["ARN"]
    make_connection(clients["glue"], {"SECRET_ID": arn})
    sm.delete_secret(SecretId=arn, RecoveryWindowInDays=7)
    with pytest.raises(JobError, match=r"secret of the Glue connection 'de-c1w2-source-connection' could not be read"):
        adapter(clients).source_info()
