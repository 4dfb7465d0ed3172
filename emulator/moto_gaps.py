"""What moto (5.1) lacks for the lab's Terraform module and for the Glue job's own calls, added to its Glue and
Athena responses in memory (the one copy: the Terraform test's launcher, test/iac/moto_glue_server.py, installs it):
  - GetConnection: the connection's fields at the top level with ConnectionType and ConnectionProperties (moto nests
    them under "Connection": the provider sees a perpetual diff, and the job's GlueAdapter finds no JDBC URL);
  - DeleteConnection, UpdateConnection (moto answers HTTP 500);
  - Create/Get/DeleteSecurityConfiguration (absent from moto);
  - GetJob: CreatedOn/LastModifiedOn as epoch numbers (the AWS provider cannot decode moto's ISO strings);
  - Athena ListTagsForResource: a workgroup's tags (moto files them under its name, not its ARN);
  - Glue column statistics (Update/Get/DeleteColumnStatisticsForTable and ForPartition): Trino stores them on
    CREATE TABLE AS and INSERT, and the statement fails without them;
  - RDS: an instance's endpoint address can be a real host (the local MariaDB lab), see rds_endpoints;
  - S3: an object's KMS key id is left out of HEAD/GET answers. The emulator speaks plain HTTP, and the AWS SDK for
    Java v1 (Spark's s3a) refuses to send KMS parameters without TLS; s3a's rename (how Spark commits a write) copies
    the source object's encryption headers into the copy request, so every write to a bucket with SSE-KMS by
    default (the module's lake bucket) failed. Objects keep their encryption; only that header is not echoed;
  - S3: deleting one version of a key that has a delete marker, in a bucket whose versioning is suspended, answered
    HTTP 500 (moto disposes of the marker, which has no dispose()): Terraform Destroy suspends the lake bucket's
    versioning, then empties it (force_destroy), and retried that for many minutes;
  - S3 GetBucketLifecycleConfiguration (pinned to moto 5.1.11, see _install_lifecycle_answer): the answer lacked the
    x-amz-transition-default-minimum-object-size header AWS sends (getmoto/moto#9708), and a rule put with an empty
    <Filter/> came back with no Filter at all (getmoto/moto#9729). The AWS provider waits until it reads back what
    it wrote, the transition default included, so each bucket's lifecycle configuration in terraform/s3.tf waited
    out the provider's timeout and failed the apply (the provider writes that module's `filter {}` as an empty
    Prefix, which moto did read back; an SDK's empty Filter, or a later provider's, needs the second correction).
"""
from __future__ import annotations

import json
import threading
from typing import Any, Dict

import moto
from moto.athena import models as athena_models
from moto.glue import models as glue_models
from moto.glue.exceptions import AlreadyExistsException, EntityNotFoundException
from moto.glue.responses import GlueResponse
from moto.rds import models as rds_models
from moto.s3 import models as s3_models
from moto.s3 import responses as s3_responses

_security_configurations: Dict[str, Dict[str, Any]] = {}
# (database, table, partition values or ()) -> column name -> Glue ColumnStatistics.
_column_statistics: Dict[tuple, Dict[str, Any]] = {}
# DB instance identifier -> the host its endpoint names (moto makes up an *.rds.amazonaws.com name).
rds_endpoints: Dict[str, str] = {}
_lock = threading.Lock()


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


def _create_security_configuration(self):
    name = self._get_param("Name")
    created = glue_models.utcnow().timestamp()
    with _lock:
        if name in _security_configurations:
            raise AlreadyExistsException(f"Security configuration {name} already exists")
        _security_configurations[name] = {"Name": name, "CreatedTimeStamp": created,
                                          "EncryptionConfiguration": self._get_param("EncryptionConfiguration")}
    return json.dumps({"Name": name, "CreatedTimestamp": created})


def _get_security_configuration(self):
    name = self._get_param("Name")
    with _lock:
        if name not in _security_configurations:
            raise EntityNotFoundException(f"Security configuration {name} not found")
        return json.dumps({"SecurityConfiguration": _security_configurations[name]})


def _delete_security_configuration(self):
    name = self._get_param("Name")
    with _lock:
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
    by_name = resource_arn.split(":workgroup/", 1)[-1]
    tags = self.tagger.list_tags_for_resource(resource_arn)["Tags"]
    return {"Tags": tags + self.tagger.list_tags_for_resource(by_name)["Tags"]}


def _statistics_key(self) -> tuple:
    return (self._get_param("DatabaseName"), self._get_param("TableName"),
            tuple(self._get_param("PartitionValues") or ()))


def _update_column_statistics(self):
    with _lock:
        stored = _column_statistics.setdefault(_statistics_key(self), {})
        for stats in self._get_param("ColumnStatisticsList") or []:
            stored[stats["ColumnName"]] = stats
    return json.dumps({"Errors": []})


def _get_column_statistics(self):
    with _lock:
        stored = _column_statistics.get(_statistics_key(self), {})
        names = self._get_param("ColumnNames") or []
        return json.dumps({"ColumnStatisticsList": [stored[n] for n in names if n in stored], "Errors": []})


def _delete_column_statistics(self):
    with _lock:
        _column_statistics.get(_statistics_key(self), {}).pop(self._get_param("ColumnName"), None)
    return "{}"


_rds_address = rds_models.DBInstance.address


def _rds_address_or_real_host(self):
    return rds_endpoints.get(self.db_instance_identifier) or _rds_address.fget(self)


_s3_key_headers = s3_models.FakeKey.response_dict


def _s3_key_headers_without_kms_key_id(self):
    headers = _s3_key_headers.fget(self)
    headers.pop("x-amz-server-side-encryption-aws-kms-key-id", None)
    return headers


def _nothing_to_dispose(self, garbage: bool = False) -> None:
    """A delete marker holds no data to release."""


# The moto whose lifecycle answer _install_lifecycle_answer corrects (what scripts/setup.sh installs); moto 5.1.21
# sends the header and 5.1.22 the empty Filter.
LIFECYCLE_PATCHED_MOTO = "5.1.11"
# In moto's template, a rule without a Filter: its top-level Prefix, or nothing when it had neither.
_RULE_WITHOUT_FILTER = """            {% if rule.prefix != None %}
            <Prefix>{{ rule.prefix }}</Prefix>
            {% endif %}"""
# As AWS answers: a rule put with an empty Filter (no Prefix) applies to every object and reads back as <Filter/>.
_RULE_WITH_EMPTY_FILTER = """            {% if rule.prefix != None %}
            <Prefix>{{ rule.prefix }}</Prefix>
            {% else %}
            <Filter/>
            {% endif %}"""
# What AWS answers for a configuration that did not choose (the provider does not send one for this module).
TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZE = "all_storage_classes_128K"

_get_bucket_lifecycle = s3_responses.S3Response.get_bucket_lifecycle


def _get_bucket_lifecycle_with_its_header(self):
    answer = _get_bucket_lifecycle(self)
    if isinstance(answer, str):  # moto 5.1.11 returns the body alone when there is a configuration
        return 200, {"x-amz-transition-default-minimum-object-size": TRANSITION_DEFAULT_MINIMUM_OBJECT_SIZE}, answer
    return answer


def _install_lifecycle_answer() -> None:
    if moto.__version__ != LIFECYCLE_PATCHED_MOTO:
        raise RuntimeError(
            f"emulator/moto_gaps.py corrects the S3 lifecycle answer of moto {LIFECYCLE_PATCHED_MOTO} "
            f"(getmoto/moto#9708, #9729) and moto {moto.__version__} is installed: install "
            f"moto[server]=={LIFECYCLE_PATCHED_MOTO} (bash scripts/setup.sh --test), or check that the new moto "
            "answers as AWS does and move the pin")
    template = s3_responses.S3_BUCKET_LIFECYCLE_CONFIGURATION
    if _RULE_WITH_EMPTY_FILTER not in template:
        if _RULE_WITHOUT_FILTER not in template:
            raise RuntimeError(
                f"moto {moto.__version__}'s S3 lifecycle template is not the one emulator/moto_gaps.py corrects")
        s3_responses.S3_BUCKET_LIFECYCLE_CONFIGURATION = template.replace(_RULE_WITHOUT_FILTER, _RULE_WITH_EMPTY_FILTER)
    s3_responses.S3Response.get_bucket_lifecycle = _get_bucket_lifecycle_with_its_header


def install() -> None:
    _install_lifecycle_answer()
    s3_models.FakeDeleteMarker.dispose = _nothing_to_dispose
    s3_models.FakeKey.response_dict = property(_s3_key_headers_without_kms_key_id)
    rds_models.DBInstance.address = property(_rds_address_or_real_host)
    glue_models.FakeConnection.as_dict = _connection_as_dict
    glue_models.FakeJob.as_dict = _job_as_dict_with_epoch_times
    athena_models.AthenaBackend.list_tags_for_resource = _athena_list_tags
    GlueResponse.delete_connection = _delete_connection
    GlueResponse.update_connection = _update_connection
    GlueResponse.create_security_configuration = _create_security_configuration
    GlueResponse.get_security_configuration = _get_security_configuration
    GlueResponse.delete_security_configuration = _delete_security_configuration
    for level in ("table", "partition"):
        setattr(GlueResponse, f"update_column_statistics_for_{level}", _update_column_statistics)
        setattr(GlueResponse, f"get_column_statistics_for_{level}", _get_column_statistics)
        setattr(GlueResponse, f"delete_column_statistics_for_{level}", _delete_column_statistics)
