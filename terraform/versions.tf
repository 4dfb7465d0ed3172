terraform {
  # 1.9 for validation blocks that refer to other variables; test files with mock providers need 1.7.
  required_version = ">= 1.9.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60.0, < 6.0.0"
    }
  }
}

provider "aws" {
  region  = var.region
  profile = var.profile

  default_tags {
    tags = merge({ Project = var.project, ManagedBy = "terraform", Source = "lifecycle-lab" }, var.tags)
  }

  # Only for an AWS emulator (moto, LocalStack): every service at one endpoint, no instance metadata lookups.
  # All of these are off when aws_endpoint is unset, which is the case on real AWS.
  s3_use_path_style           = var.aws_endpoint != null
  skip_credentials_validation = var.aws_endpoint != null
  skip_metadata_api_check     = var.aws_endpoint != null

  dynamic "endpoints" {
    for_each = var.aws_endpoint == null ? [] : [var.aws_endpoint]
    content {
      athena         = endpoints.value
      cloudwatchlogs = endpoints.value
      ec2            = endpoints.value
      glue           = endpoints.value
      iam            = endpoints.value
      kms            = endpoints.value
      s3             = endpoints.value
      secretsmanager = endpoints.value
      sts            = endpoints.value
    }
  }
}
