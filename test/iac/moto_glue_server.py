"""TEST-ONLY moto server for the Terraform apply cycle in test/iac/terraformMoto.test.ts. Not for anything else.

moto (5.1) lacks a few Glue calls the AWS provider makes for this module, so this launcher adds them to moto's
Glue responses before starting the server, in memory and only as far as the provider needs:
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
import signal
import sys
import threading

import boto3
from moto.athena import models as athena_models
from moto.glue import models as glue_models
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException
from moto.glue.responses import GlueResponse
from moto.server import ThreadedMotoServer

REGION = "us-east-1"

# ---- test-only Glue additions -------------------------------------------------------------------------------


def _connection_as_dict(self):
    given = self.connection_input
    return {
        "Name": self.name,
        "Description": given.get("Description", ""),
        "ConnectionType": given.get("ConnectionType"),
        "ConnectionProperties": given.get("ConnectionProperties", {}),
        "PhysicalConnectionRequirements": given.get("PhysicalConnectionRequirements"),
        "MatchCriteria": given.get("MatchCriteria", []),
        "CreationTime": self.created_time.timestamp(),
        "LastUpdatedTime": self.updated_time.timestamp(),
        "Status": self.status,
    }


def _delete_connection(self):
    name = self._get_param("ConnectionName")
    if self.glue_backend.connections.pop(name, None) is None:
        raise EntityNotFoundException(f"Connection {name} not found")
    return "{}"


def _update_connection(self):
    name = self._get_param("Name")
    given = self._get_param("ConnectionInput")
    connection = self.glue_backend.connections.get(name)
    if connection is None:
        raise EntityNotFoundException(f"Connection {name} not found")
    connection.connection_input = given
    connection.description = given.get("Description")
    return "{}"


_security_configurations = {}


def _create_security_configuration(self):
    name = self._get_param("Name")
    if name in _security_configurations:
        raise AlreadyExistsException(f"Security configuration {name} already exists")
    created = glue_models.utcnow().timestamp()
    _security_configurations[name] = {"Name": name, "CreatedTimeStamp": created,
                                      "EncryptionConfiguration": self._get_param("EncryptionConfiguration")}
    return json.dumps({"Name": name, "CreatedTimestamp": created})


def _get_security_configuration(self):
    name = self._get_param("Name")
    if name not in _security_configurations:
        raise EntityNotFoundException(f"Security configuration {name} not found")
    return json.dumps({"SecurityConfiguration": _security_configurations[name]})


def _delete_security_configuration(self):
    name = self._get_param("Name")
    if _security_configurations.pop(name, None) is None:
        raise EntityNotFoundException(f"Security configuration {name} not found")
    return "{}"


_job_as_dict = glue_models.FakeJob.as_dict


def _job_as_dict_with_epoch_times(self):
    out = _job_as_dict(self)
    out["CreatedOn"] = self.created_on.timestamp()
    out["LastModifiedOn"] = self.last_modified_on.timestamp()
    return out


def _athena_list_tags(self, resource_arn):
    # moto tags a new workgroup under its name rather than its ARN.
    by_name = resource_arn.split(":workgroup/", 1)[-1]
    tags = self.tagger.list_tags_for_resource(resource_arn)["Tags"]
    return {"Tags": tags + self.tagger.list_tags_for_resource(by_name)["Tags"]}


glue_models.FakeConnection.as_dict = _connection_as_dict
glue_models.FakeJob.as_dict = _job_as_dict_with_epoch_times
athena_models.AthenaBackend.list_tags_for_resource = _athena_list_tags
GlueResponse.delete_connection = _delete_connection
GlueResponse.update_connection = _update_connection
GlueResponse.create_security_configuration = _create_security_configuration
GlueResponse.get_security_configuration = _get_security_configuration
GlueResponse.delete_security_configuration = _delete_security_configuration

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
