# One customer-managed key for the lab's data at rest: both buckets, Athena results, the job's logs and its
# Glue security configuration. Rotated yearly by AWS.
resource "aws_kms_key" "lake" {
  description             = "${var.project}: lake, scripts, Athena results and Glue job logs"
  enable_key_rotation     = true
  deletion_window_in_days = 7
  policy                  = jsonencode(local.kms_key_policy)
}

resource "aws_kms_alias" "lake" {
  name          = "alias/${var.project}-lake"
  target_key_id = aws_kms_key.lake.key_id
}

locals {
  kms_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        # AWS's default key policy statement: the account's IAM policies decide who uses the key.
        Sid       = "AccountAdministersKeyThroughIam"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        # CloudWatch Logs encrypts the job's log group with the key, for that log group only.
        Sid       = "CloudWatchLogsForTheJobLogGroup"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"]
        Resource  = "*"
        Condition = {
          ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${var.region}:${local.account_id}:log-group:/aws-glue/jobs/*" }
        }
      },
    ]
  }
}
