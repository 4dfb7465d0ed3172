locals {
  connection_name = "${var.project}-source-connection"

  # Exactly the arguments glue/glue_job.py reads (its JOB_ARGUMENTS); tests/glue_job.tftest.hcl compares them.
  job_arguments = {
    "--connection_name"  = local.connection_name
    "--source_database"  = var.database
    "--lake_path"        = "s3://${var.data_lake_bucket}"
    "--catalog_database" = local.catalog_database
    "--sql_prefix"       = "s3://${var.scripts_bucket}/${local.sql_prefix}"
  }

  # Glue's own options.
  glue_options = {
    "--job-language"                     = "python"
    "--enable-metrics"                   = "true"
    "--enable-continuous-cloudwatch-log" = "true"
    "--enable-continuous-log-filter"     = "true"
    "--continuous-log-logGroup"          = aws_cloudwatch_log_group.job.name
    # Copied into the script's working directory before it runs: the schema the job checks its manifest against, and
    # the dashboard's questions whose answers it records there.
    "--extra-files" = join(",", [for o in [aws_s3_object.manifest_schema, aws_s3_object.dashboard_questions] : "s3://${var.scripts_bucket}/${o.key}"])
    # On the script's Python path: the modules glue_job.py imports.
    "--extra-py-files" = join(",", [for m in sort(tolist(local.job_modules)) : "s3://${var.scripts_bucket}/${aws_s3_object.job_module[m].key}"])
  }

  # The password: a Secrets Manager secret the job reads at run time (preferred), else the connection's
  # properties, which the provider treats as sensitive.
  credential_properties = var.password_secret_arn != null ? { SECRET_ID = var.password_secret_arn } : {
    USERNAME = var.username
    PASSWORD = var.password
  }
}

resource "aws_glue_catalog_database" "lake" {
  name        = local.catalog_database
  description = "${var.project}: the star schema published by ${local.job_name} (tables point at the last good run)"
}

resource "aws_glue_connection" "source" {
  name            = local.connection_name
  description     = "${var.project}: the classicmodels source over JDBC"
  connection_type = "JDBC"
  connection_properties = merge({
    JDBC_CONNECTION_URL = "jdbc:mysql://${var.host}:${var.port}/${var.database}"
    JDBC_ENFORCE_SSL    = "false"
  }, local.credential_properties)

  physical_connection_requirements {
    availability_zone      = data.aws_subnet.selected.availability_zone
    security_group_id_list = [var.db_sg_id]
    subnet_id              = var.subnet_id
  }

  lifecycle {
    precondition {
      condition     = data.aws_subnet.selected.vpc_id == var.vpc_id
      error_message = "subnet_id ${var.subnet_id} is not in vpc_id ${var.vpc_id}; pick a subnet of the database's VPC."
    }
  }
}

resource "aws_glue_security_configuration" "job" {
  name = "${var.project}-job-security"

  encryption_configuration {
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = aws_kms_key.lake.arn
    }
    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = aws_kms_key.lake.arn
    }
    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = aws_kms_key.lake.arn
    }
  }
}

resource "aws_cloudwatch_log_group" "job" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.lake.arn
}

resource "aws_glue_job" "etl" {
  name                   = local.job_name
  description            = "${var.project}: classicmodels to the star schema (glue/sql), reconciled, published atomically"
  role_arn               = aws_iam_role.glue.arn
  glue_version           = var.glue_version
  worker_type            = "G.1X"
  number_of_workers      = 2
  timeout                = var.job_timeout_minutes
  max_retries            = 0
  execution_class        = "STANDARD" # explicit: the API fills it in, and a missing value would show as a change
  connections            = [aws_glue_connection.source.name]
  security_configuration = aws_glue_security_configuration.job.name
  default_arguments      = merge(local.glue_options, local.job_arguments)

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${var.scripts_bucket}/${aws_s3_object.script.key}"
  }

  execution_property {
    max_concurrent_runs = 1 # runs publish to the same tables
  }

  depends_on = [aws_s3_object.sql, aws_iam_role_policy.glue]
}
