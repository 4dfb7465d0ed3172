# The job's role: only what glue/glue_job.py does, on the project's own resources. No action has a wildcard.
# Two statements need Resource "*", because AWS offers no narrower resource for them (named EXCEPTION_*):
#   - the EC2 Describe calls Glue makes to attach the VPC connection's network interface;
#   - cloudwatch:PutMetricData for --enable-metrics (limited to the Glue namespace by a condition).
resource "aws_iam_role" "glue" {
  name = "${var.project}-glue-job-role"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "glue.amazonaws.com" }
      Action    = "sts:AssumeRole"
      Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
    }]
  })
}

resource "aws_iam_role_policy" "glue" {
  name   = "${var.project}-glue-job"
  role   = aws_iam_role.glue.id
  policy = jsonencode(local.job_policy)
}

locals {
  ec2_arn_prefix = "arn:${local.partition}:ec2:${var.region}:${local.account_id}"

  job_policy = {
    Version = "2012-10-17"
    Statement = concat([
      {
        Sid      = "ReadJobScriptAndModel"
        Effect   = "Allow"
        Action   = ["s3:GetObject"]
        Resource = ["${local.bucket_arns.scripts}/glue/*"]
      },
      {
        Sid       = "ListJobScriptAndModel"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.bucket_arns.scripts]
        Condition = { StringLike = { "s3:prefix" = ["glue/*"] } }
      },
      {
        # Each run writes gold/<table>/run=<id>/, the manifest, and deletes runs older than the last two.
        Sid      = "WriteLakeGold"
        Effect   = "Allow"
        Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
        Resource = ["${local.bucket_arns.lake}/gold/*"]
      },
      {
        Sid       = "ListLakeGold"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.bucket_arns.lake]
        Condition = { StringLike = { "s3:prefix" = ["gold/*"] } }
      },
      {
        Sid    = "PublishCatalogTables"
        Effect = "Allow"
        Action = ["glue:GetDatabase", "glue:GetTable", "glue:GetTables", "glue:CreateTable", "glue:UpdateTable"]
        Resource = [
          "${local.glue_arn_prefix}:catalog",
          "${local.glue_arn_prefix}:database/${local.catalog_database}",
          "${local.glue_arn_prefix}:table/${local.catalog_database}/*",
        ]
      },
      {
        Sid    = "ReadSourceConnection"
        Effect = "Allow"
        Action = ["glue:GetConnection"]
        Resource = [
          "${local.glue_arn_prefix}:catalog",
          "${local.glue_arn_prefix}:connection/${local.connection_name}",
        ]
      },
      {
        Sid      = "WriteJobLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:AssociateKmsKey"]
        Resource = [local.log_group_arn, "${local.log_group_arn}:*"]
      },
      {
        Sid      = "UseLabKey"
        Effect   = "Allow"
        Action   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource = [aws_kms_key.lake.arn]
      },
      {
        # The connection's elastic network interface, in the given subnet and security group only.
        Sid    = "ConnectionNetworkInterface"
        Effect = "Allow"
        Action = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:CreateTags", "ec2:DeleteTags"]
        Resource = [
          "${local.ec2_arn_prefix}:network-interface/*",
          "${local.ec2_arn_prefix}:subnet/${var.subnet_id}",
          "${local.ec2_arn_prefix}:security-group/${var.db_sg_id}",
        ]
      },
      {
        Sid    = "EXCEPTION_Ec2DescribeHasNoResourceLevelPermissions"
        Effect = "Allow"
        Action = [
          "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
          "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcAttribute",
        ]
        Resource = ["*"]
      },
      {
        Sid       = "EXCEPTION_PutMetricDataHasNoResource"
        Effect    = "Allow"
        Action    = ["cloudwatch:PutMetricData"]
        Resource  = ["*"]
        Condition = { StringEquals = { "cloudwatch:namespace" = "Glue" } }
      },
      ],
      # The database password: that one secret, read at run time through the connection's SECRET_ID.
      var.password_secret_arn == null ? [] : [{
        Sid      = "ReadSourceSecret"
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue"]
        Resource = [var.password_secret_arn]
      }],
      # A secret under a customer-managed key: decrypt with that key, only on Secrets Manager's behalf.
      var.password_secret_kms_key_arn == null ? [] : [{
        Sid       = "DecryptSourceSecret"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = [var.password_secret_kms_key_arn]
        Condition = { StringEquals = { "kms:ViaService" = "secretsmanager.${var.region}.amazonaws.com" } }
      }],
    )
  }
}
