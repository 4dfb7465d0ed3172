data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# The connection's availability zone is the subnet's; the subnet must be in the given VPC.
data "aws_subnet" "selected" {
  id = var.subnet_id
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  glue_dir   = coalesce(var.glue_dir, "${path.module}/../glue")

  job_name         = "${var.project}-etl-job"
  catalog_database = replace("${var.project}_lake", "-", "_")
  log_group_name   = "/aws-glue/jobs/${var.project}-etl-job"

  # Where the job's files live in the scripts bucket: the script, and the model SQL beside it with its declared data
  # tests (schema.yml, tests/*.sql), which the job runs before it publishes.
  script_key = "glue/glue_job.py"
  # The run manifest's JSON Schema, beside the script: the job passes it in --extra-files (glue.tf), so Glue copies
  # it into the script's working directory, and glue_job.py checks the manifest against it before it publishes.
  manifest_schema_key = "glue/manifest.schema.json"
  # The dashboard's recorded questions, also in --extra-files: the job records their answers in its manifest.
  dashboard_questions_key = "glue/dashboard_questions.json"
  # The job's modules (the Glue adapter, the declared data tests, the manifest check and what they share): the job
  # names them in --extra-py-files (glue.tf), so Glue puts them on the script's Python path.
  job_modules = toset(["glue_adapter.py", "job_common.py", "job_dashboard.py", "job_data_tests.py", "job_manifest.py", "job_reconcile.py"])

  sql_prefix = "glue/sql"
  sql_files = setunion(
    fileset("${local.glue_dir}/sql", "*.sql"),
    fileset("${local.glue_dir}/sql", "schema.yml"),
    fileset("${local.glue_dir}/sql", "tests/*.sql"),
  )

  lake_path              = "s3://${var.data_lake_bucket}/gold/"
  athena_result_location = "s3://${var.data_lake_bucket}/athena-results/"

  bucket_arns = {
    lake    = "arn:${local.partition}:s3:::${var.data_lake_bucket}"
    scripts = "arn:${local.partition}:s3:::${var.scripts_bucket}"
  }
  glue_arn_prefix = "arn:${local.partition}:glue:${var.region}:${local.account_id}"
  log_group_arn   = "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:${local.log_group_name}"
}
