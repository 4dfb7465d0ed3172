# Read by the editor with `terraform output -json`. None of these holds a secret.
output "job_name" {
  description = "The Glue job to start."
  value       = aws_glue_job.etl.name
}

output "catalog_database" {
  description = "Glue Data Catalog database holding the published tables."
  value       = aws_glue_catalog_database.lake.name
}

output "lake_path" {
  description = "Where the job writes the lake (gold/<table>/run=<runId>/ and gold/_manifest.json)."
  value       = local.lake_path
}

output "athena_workgroup" {
  description = "Athena workgroup for queries over the lake."
  value       = aws_athena_workgroup.lab.name
}

output "athena_result_location" {
  description = "Where the workgroup writes query results."
  value       = local.athena_result_location
}

output "role_arn" {
  description = "The job's IAM role."
  value       = aws_iam_role.glue.arn
}
