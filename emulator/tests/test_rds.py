"""An RDS instance given on the command line names a real endpoint (the local MariaDB lab), as Discover RDS reads it."""
import json
import subprocess
import sys

import boto3
from conftest import ROOT


def test_the_rds_instance_points_at_the_given_host_and_port():
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--trino-url", "http://127.0.0.1:9",  # noqa: S603
                                "--rds", "de-c1w2-rds=127.0.0.1:38231", "--rds-user", "someone"],
                               cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        endpoint = json.loads(process.stdout.readline())["endpoint"]
        rds = boto3.client("rds", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        instances = rds.describe_db_instances()["DBInstances"]
        assert [(i["DBInstanceIdentifier"], i["Endpoint"]["Address"], i["Endpoint"]["Port"], i["Engine"],
                 i["MasterUsername"]) for i in instances] == [("de-c1w2-rds", "127.0.0.1", 38231, "mysql", "someone")]
        # The network the editor reads for Terraform's vpc_id, subnet_id and db_sg_id (src/core/terraform/discovery.ts).
        db = instances[0]
        ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id="testing",
                           aws_secret_access_key="testing")
        vpc = db["DBSubnetGroup"]["VpcId"]
        subnets = ec2.describe_subnets(SubnetIds=[s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]])
        assert {s["VpcId"] for s in subnets["Subnets"]} == {vpc}
        assert db["AvailabilityZone"] in {s["AvailabilityZone"] for s in subnets["Subnets"]}
        group = db["VpcSecurityGroups"][0]["VpcSecurityGroupId"]
        assert ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["VpcId"] == vpc
    finally:
        process.stdin.close()
        process.wait(30)
