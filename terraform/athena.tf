resource "aws_athena_workgroup" "lab" {
  name          = "${var.project}-workgroup"
  description   = "${var.project}: queries over the lake's catalog database"
  force_destroy = true # its saved query history only

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.athena_bytes_scanned_cutoff

    result_configuration {
      output_location = local.athena_result_location
      encryption_configuration {
        encryption_option = "SSE_KMS"
        kms_key_arn       = aws_kms_key.lake.arn
      }
    }
  }
}
