# `terraform test` (offline): the module against a mocked AWS provider. Run from terraform/: terraform test
# The mocks give the data sources and the ARNs realistic values so the assertions can read them.
mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012", arn = "arn:aws:iam::123456789012:user/lab", user_id = "AIDATEST" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws", dns_suffix = "amazonaws.com" }
  }
  mock_data "aws_subnet" {
    defaults = { availability_zone = "us-east-1a", vpc_id = "vpc-0123456789abcdef0" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:us-east-1:123456789012:key/00000000-1111-2222-3333-444444444444", key_id = "00000000-1111-2222-3333-444444444444" }
  }
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/de-c1w2-glue-job-role" }
  }
}

variables {
  vpc_id           = "vpc-0123456789abcdef0"
  subnet_id        = "subnet-0123456789abcdef0"
  db_sg_id         = "sg-0123456789abcdef0"
  host             = "de-c1w2-rds.abcdefghijkl.us-east-1.rds.amazonaws.com"
  password         = "test-only-not-a-secret"
  data_lake_bucket = "de-c1w2-123456789012-us-east-1-data-lake"
  scripts_bucket   = "de-c1w2-123456789012-us-east-1-scripts"
}

run "has_the_resources" {
  command = apply

  assert {
    condition     = aws_glue_job.etl.name == "de-c1w2-etl-job" && tonumber(aws_glue_job.etl.glue_version) >= 4
    error_message = "the Glue job must be de-c1w2-etl-job on Glue 4.0 or later"
  }
  assert {
    condition     = aws_glue_job.etl.worker_type == "G.1X" && aws_glue_job.etl.number_of_workers == 2 && aws_glue_job.etl.timeout > 0
    error_message = "the job runs on 2 x G.1X with a timeout"
  }
  assert {
    condition     = aws_glue_job.etl.default_arguments["--enable-metrics"] == "true" && aws_glue_job.etl.default_arguments["--enable-continuous-cloudwatch-log"] == "true"
    error_message = "the job has metrics and continuous CloudWatch logging on"
  }
  assert {
    condition     = aws_glue_job.etl.default_arguments["--continuous-log-logGroup"] == aws_cloudwatch_log_group.job.name && aws_cloudwatch_log_group.job.retention_in_days > 0
    error_message = "the job logs to the module's log group, which has a retention"
  }
  assert {
    condition     = aws_glue_job.etl.command[0].script_location == "s3://${var.scripts_bucket}/${aws_s3_object.script.key}" && aws_glue_job.etl.execution_class == "STANDARD"
    error_message = "the job runs the uploaded script, with an explicit execution class"
  }
  assert {
    condition     = aws_glue_job.etl.connections == tolist([aws_glue_connection.source.name]) && aws_glue_job.etl.security_configuration == aws_glue_security_configuration.job.name
    error_message = "the job uses the JDBC connection and the security configuration"
  }
  assert {
    condition     = aws_glue_connection.source.connection_type == "JDBC" && aws_glue_connection.source.physical_connection_requirements[0].availability_zone == "us-east-1a" && aws_glue_connection.source.physical_connection_requirements[0].subnet_id == var.subnet_id && length(aws_glue_connection.source.physical_connection_requirements[0].security_group_id_list) == 1 && contains(aws_glue_connection.source.physical_connection_requirements[0].security_group_id_list, var.db_sg_id)
    error_message = "the connection is JDBC, in the subnet's AZ, with the database's security group"
  }
  assert {
    condition     = aws_glue_connection.source.connection_properties["JDBC_CONNECTION_URL"] == "jdbc:mysql://${var.host}:3306/classicmodels"
    error_message = "the connection's JDBC URL is built from host, port and database"
  }
  assert {
    condition     = aws_glue_catalog_database.lake.name == aws_glue_job.etl.default_arguments["--catalog_database"]
    error_message = "the job publishes to the module's catalog database"
  }
  assert {
    condition     = aws_athena_workgroup.lab.configuration[0].enforce_workgroup_configuration && aws_athena_workgroup.lab.configuration[0].bytes_scanned_cutoff_per_query == 1073741824
    error_message = "the Athena workgroup enforces its configuration and has a bytes-scanned cutoff"
  }
  assert {
    condition     = startswith(aws_athena_workgroup.lab.configuration[0].result_configuration[0].output_location, "s3://${var.data_lake_bucket}/") && aws_athena_workgroup.lab.configuration[0].result_configuration[0].encryption_configuration[0].encryption_option == "SSE_KMS"
    error_message = "Athena results go to the lake bucket, encrypted"
  }
  assert {
    condition     = length(aws_s3_bucket.this) == 2 && alltrue([for k, v in aws_s3_bucket_public_access_block.this : v.block_public_acls && v.block_public_policy && v.ignore_public_acls && v.restrict_public_buckets])
    error_message = "both buckets exist and block public access"
  }
  assert {
    condition     = alltrue([for k, v in aws_s3_bucket_server_side_encryption_configuration.this : one(one(v.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"]) && aws_kms_key.lake.enable_key_rotation
    error_message = "both buckets are encrypted with the lab's rotating KMS key"
  }

  # The job's own arguments (Glue's options start with --enable-, --job-, --continuous- or --extra-) must be exactly
  # the names in glue_job.py's JOB_ARGUMENTS tuple, read from the script.
  assert {
    condition = toset([for k in keys(aws_glue_job.etl.default_arguments) : trimprefix(k, "--") if !can(regex("^--(enable-|job-|continuous-|extra-)", k))]) == toset(
      regexall("\"([a-z_]+)\"", regex("(?m)^JOB_ARGUMENTS = \\(([^)]*)\\)", file("../glue/glue_job.py"))[0])[*][0]
    )
    error_message = "the job's arguments differ from JOB_ARGUMENTS in glue/glue_job.py"
  }
  assert {
    condition     = alltrue([for k, v in aws_glue_job.etl.default_arguments : v != var.password])
    error_message = "no job argument holds the password"
  }

  assert {
    condition     = toset([for o in aws_s3_object.sql : o.key]) == toset([for f in setunion(fileset("../glue/sql", "*.sql"), ["schema.yml"], fileset("../glue/sql", "tests/*.sql")) : "glue/sql/${f}"])
    error_message = "the uploads are the model (glue/sql/*.sql), its declared tests (schema.yml) and its singular tests (tests/*.sql)"
  }
  assert {
    condition     = alltrue([for o in aws_s3_object.sql : o.bucket == var.scripts_bucket && o.source_hash == filemd5("../glue/sql/${trimprefix(o.key, "glue/sql/")}")]) && aws_s3_object.script.source_hash == filemd5("../glue/glue_job.py")
    error_message = "every upload carries its file's hash, so a changed file redeploys"
  }
  assert {
    condition     = aws_s3_object.manifest_schema.bucket == var.scripts_bucket && aws_s3_object.manifest_schema.source_hash == filemd5("../glue/manifest.schema.json") && dirname(aws_s3_object.manifest_schema.key) == dirname(aws_s3_object.script.key)
    error_message = "the manifest's schema is uploaded beside the script, with its hash"
  }
  assert {
    condition     = aws_s3_object.dashboard_questions.bucket == var.scripts_bucket && aws_s3_object.dashboard_questions.source_hash == filemd5("../glue/dashboard_questions.json") && dirname(aws_s3_object.dashboard_questions.key) == dirname(aws_s3_object.script.key)
    error_message = "the dashboard's questions are uploaded beside the script, with their hash"
  }
  assert {
    condition     = aws_glue_job.etl.default_arguments["--extra-files"] == "s3://${var.scripts_bucket}/${aws_s3_object.manifest_schema.key},s3://${var.scripts_bucket}/${aws_s3_object.dashboard_questions.key}"
    error_message = "the job's --extra-files names the uploaded schema and questions, so Glue copies them into the script's working directory"
  }
  assert {
    condition     = toset([for o in aws_s3_object.job_module : basename(o.key)]) == setsubtract(fileset("../glue", "*.py"), ["glue_job.py", "local_run.py"]) && alltrue([for o in aws_s3_object.job_module : o.bucket == var.scripts_bucket && dirname(o.key) == dirname(aws_s3_object.script.key) && o.source_hash == filemd5("../glue/${basename(o.key)}")])
    error_message = "every module beside glue_job.py (the local runner aside) is uploaded beside the script, with its hash"
  }
  assert {
    condition     = toset(split(",", aws_glue_job.etl.default_arguments["--extra-py-files"])) == toset([for o in aws_s3_object.job_module : "s3://${var.scripts_bucket}/${o.key}"])
    error_message = "the job's --extra-py-files names every uploaded module, so Glue puts them on the script's Python path"
  }
  assert {
    condition     = "${aws_glue_job.etl.default_arguments["--sql_prefix"]}/" == "s3://${var.scripts_bucket}/${dirname(one([for o in aws_s3_object.sql : o.key if basename(o.key) == "fact_orders.sql"]))}/"
    error_message = "the job reads the model from where it was uploaded"
  }

  assert {
    condition     = output.job_name == "de-c1w2-etl-job" && output.catalog_database == aws_glue_catalog_database.lake.name && output.lake_path == "s3://${var.data_lake_bucket}/gold/" && output.athena_workgroup == aws_athena_workgroup.lab.name && output.role_arn == aws_iam_role.glue.arn && startswith(output.athena_result_location, "s3://${var.data_lake_bucket}/")
    error_message = "the outputs the editor reads"
  }
  assert {
    condition     = !anytrue([for v in [output.job_name, output.catalog_database, output.lake_path, output.athena_workgroup, output.athena_result_location, output.role_arn] : strcontains(v, var.password)])
    error_message = "an output holds the password"
  }
}

run "iam_policy_is_least_privilege" {
  command = apply

  variables {
    password_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:de-c1w2-db-AbCdEf"
    password            = null
  }

  # No action with a wildcard (not "*", not "s3:*", not "s3:Get*").
  assert {
    condition     = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : [for a in flatten([s.Action]) : !strcontains(a, "*")]]))
    error_message = "the job's policy has an action with a wildcard"
  }
  # Every resource is the project's: the two buckets, the catalog database and its tables, the connection, the log
  # group, the lab's key, the connection's network interface, the secret; "*" only in the named exceptions.
  assert {
    condition = alltrue(flatten([for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : [for r in flatten([s.Resource]) :
      startswith(s.Sid, "EXCEPTION_") ? r == "*" : anytrue([
        r == "arn:aws:s3:::${var.data_lake_bucket}", startswith(r, "arn:aws:s3:::${var.data_lake_bucket}/"),
        r == "arn:aws:s3:::${var.scripts_bucket}", startswith(r, "arn:aws:s3:::${var.scripts_bucket}/"),
        r == "arn:aws:glue:us-east-1:123456789012:catalog",
        r == "arn:aws:glue:us-east-1:123456789012:database/${aws_glue_catalog_database.lake.name}",
        r == "arn:aws:glue:us-east-1:123456789012:table/${aws_glue_catalog_database.lake.name}/*",
        r == "arn:aws:glue:us-east-1:123456789012:connection/${aws_glue_connection.source.name}",
        r == "arn:aws:logs:us-east-1:123456789012:log-group:${aws_cloudwatch_log_group.job.name}",
        r == "arn:aws:logs:us-east-1:123456789012:log-group:${aws_cloudwatch_log_group.job.name}:*",
        r == aws_kms_key.lake.arn,
        r == var.password_secret_arn,
        r == "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
        r == "arn:aws:ec2:us-east-1:123456789012:subnet/${var.subnet_id}",
        r == "arn:aws:ec2:us-east-1:123456789012:security-group/${var.db_sg_id}",
    ])]]))
    error_message = "the job's policy names a resource that is not the project's (or a \"*\" outside an EXCEPTION_ statement)"
  }
  assert {
    condition     = length([for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : s if startswith(s.Sid, "EXCEPTION_")]) == 2
    error_message = "exactly the two named exceptions use Resource \"*\""
  }
  assert {
    condition     = aws_glue_connection.source.connection_properties["SECRET_ID"] == var.password_secret_arn && !contains(keys(aws_glue_connection.source.connection_properties), "PASSWORD")
    error_message = "with a secret, the connection refers to it and holds no password"
  }
  # The role reads that one secret and nothing else of Secrets Manager; with the default key (aws/secretsmanager,
  # whose key policy lets Secrets Manager decrypt for the account) it needs no KMS permission beyond the lab's key.
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : { actions = flatten([s.Action]), resources = flatten([s.Resource]) } if anytrue([for a in flatten([s.Action]) : startswith(a, "secretsmanager:")])] == [
      { actions = ["secretsmanager:GetSecretValue"], resources = [var.password_secret_arn] },
    ]
    error_message = "the job's role may read only the password's secret (GetSecretValue on its ARN)"
  }
  assert {
    condition     = alltrue([for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : s.Sid == "UseLabKey" if anytrue([for a in flatten([s.Action]) : startswith(a, "kms:")])])
    error_message = "without password_secret_kms_key_arn, no KMS permission beyond the lab's key"
  }
}

run "secret_with_its_own_key" {
  command = apply

  variables {
    password_secret_arn         = "arn:aws:secretsmanager:us-east-1:123456789012:secret:de-c1w2-db-AbCdEf"
    password_secret_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555"
    password                    = null
  }

  # The secret's key: Decrypt only, on that key only, and only when Secrets Manager asks for it.
  assert {
    condition = [for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : s if contains(flatten([s.Resource]), var.password_secret_kms_key_arn)] == [{
      Sid       = "DecryptSourceSecret"
      Effect    = "Allow"
      Action    = ["kms:Decrypt"]
      Resource  = [var.password_secret_kms_key_arn]
      Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.us-east-1.amazonaws.com" } }
    }]
    error_message = "the job's role may decrypt with the secret's own key, through Secrets Manager only"
  }
}

run "password_route_reads_no_secret" {
  command = plan

  assert {
    condition     = !anytrue([for s in jsondecode(aws_iam_role_policy.glue.policy).Statement : anytrue([for a in flatten([s.Action]) : startswith(a, "secretsmanager:")])])
    error_message = "without password_secret_arn, the role reads no secret"
  }
}

run "existing_buckets_get_objects_only" {
  command = plan

  variables {
    create_buckets = false
  }

  assert {
    condition     = length(aws_s3_bucket.this) == 0 && length(aws_s3_object.sql) > 0
    error_message = "with create_buckets = false the module creates no bucket but still uploads"
  }
}
