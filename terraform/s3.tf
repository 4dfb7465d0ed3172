# The two buckets (unless they exist already: create_buckets = false), private, versioned, encrypted with the
# lab's key, with old versions and unfinished uploads expiring.
locals {
  buckets = var.create_buckets ? { lake = var.data_lake_bucket, scripts = var.scripts_bucket } : {}
}

resource "aws_s3_bucket" "this" {
  for_each      = local.buckets
  bucket        = each.value
  force_destroy = var.force_destroy_buckets
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = aws_s3_bucket.this
  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.lake.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = aws_s3_bucket.this
  bucket   = each.value.id

  rule {
    id     = "expire-old-versions-and-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 30
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Athena writes a result file per query; nobody reads them after a week.
  dynamic "rule" {
    for_each = each.key == "lake" ? [1] : []
    content {
      id     = "expire-athena-results"
      status = "Enabled"
      filter {
        prefix = "athena-results/"
      }
      expiration {
        days = 7
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# The job script and every model file, uploaded beside each other; source_hash redeploys a changed file.
resource "aws_s3_object" "script" {
  bucket      = var.scripts_bucket
  key         = local.script_key
  source      = "${local.glue_dir}/glue_job.py"
  source_hash = filemd5("${local.glue_dir}/glue_job.py")
  depends_on  = [aws_s3_bucket_server_side_encryption_configuration.this]
}

resource "aws_s3_object" "job_module" {
  for_each    = local.job_modules
  bucket      = var.scripts_bucket
  key         = "glue/${each.value}"
  source      = "${local.glue_dir}/${each.value}"
  source_hash = filemd5("${local.glue_dir}/${each.value}")
  depends_on  = [aws_s3_bucket_server_side_encryption_configuration.this]
}

resource "aws_s3_object" "manifest_schema" {
  bucket      = var.scripts_bucket
  key         = local.manifest_schema_key
  source      = "${local.glue_dir}/manifest.schema.json"
  source_hash = filemd5("${local.glue_dir}/manifest.schema.json")
  depends_on  = [aws_s3_bucket_server_side_encryption_configuration.this]
}

resource "aws_s3_object" "dashboard_questions" {
  bucket      = var.scripts_bucket
  key         = local.dashboard_questions_key
  source      = "${local.glue_dir}/dashboard_questions.json"
  source_hash = filemd5("${local.glue_dir}/dashboard_questions.json")
  depends_on  = [aws_s3_bucket_server_side_encryption_configuration.this]
}

resource "aws_s3_object" "sql" {
  for_each    = local.sql_files
  bucket      = var.scripts_bucket
  key         = "${local.sql_prefix}/${each.value}"
  source      = "${local.glue_dir}/sql/${each.value}"
  source_hash = filemd5("${local.glue_dir}/sql/${each.value}")
  depends_on  = [aws_s3_bucket_server_side_encryption_configuration.this]
}
