"""TEST-ONLY moto server for the Terraform apply cycle in test/iac/terraformMoto.test.ts. Not for anything else.

moto (5.1) lacks a few Glue calls the AWS provider makes for this module, so this launcher adds them to moto's
Glue responses before starting the server, in memory, through emulator/moto_gaps.py (which also has more):
  - GetConnection: returns the connection's fields at the top level with ConnectionType and ConnectionProperties
    (moto nests them under "Connection" and omits ConnectionType: the provider would then see a perpetual diff);
  - DeleteConnection, UpdateConnection (moto answers HTTP 500: destroy would retry for minutes);
  - CreateSecurityConfiguration, GetSecurityConfiguration, DeleteSecurityConfiguration (absent from moto);
  - GetJob: CreatedOn/LastModifiedOn as epoch numbers (moto sends ISO strings, which the provider cannot decode);
  - Athena ListTagsForResource: a workgroup's tags (moto files them under its name, not its ARN, and answers
    "Does Not Exist" when there are none).
It also creates the network the module expects to exist (a VPC, a subnet in us-east-1a, a security group) and
prints one JSON line: {"endpoint", "vpc_id", "subnet_id", "sg_id"}. It stops when its stdin closes or on SIGTERM.

    python3 test/iac/moto_glue_server.py [PORT]
"""
import json
import os
import signal
import sys
import threading

import boto3
from moto.server import ThreadedMotoServer

# The additions are the emulated AWS's own (emulator/moto_gaps.py): one copy for the emulator and this launcher.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from emulator import moto_gaps  # noqa: E402 - after the path that finds it

REGION = "us-east-1"

moto_gaps.install()

# ---- server -------------------------------------------------------------------------------------------------


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint,
                       aws_access_key_id="test", aws_secret_access_key="test")  # noqa: S106 - moto's fake keys
    vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.42.1.0/24", AvailabilityZone=f"{REGION}a")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="lab-db", Description="lab database", VpcId=vpc)["GroupId"]
    print(json.dumps({"endpoint": endpoint, "vpc_id": vpc, "subnet_id": subnet, "sg_id": sg}), flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
