# Each bad variable fails its own validation. One run holds them all (every run starts the provider, ~3 s);
# test/iac checks each validation's message separately.
mock_provider "aws" {
  mock_data "aws_subnet" {
    defaults = { availability_zone = "us-east-1a", vpc_id = "vpc-0123456789abcdef0" }
  }
}

variables {
  vpc_id           = "vpc-0123456789abcdef0"
  subnet_id        = "subnet-0123456789abcdef0"
  db_sg_id         = "sg-0123456789abcdef0"
  host             = "db.example.internal"
  password         = "test-only-not-a-secret"
  data_lake_bucket = "lab-data-lake"
  scripts_bucket   = "lab-scripts"
}

run "every_bad_variable_fails_its_validation" {
  command = plan

  variables {
    project                     = "De_C1W2"
    region                      = "us-east"
    vpc_id                      = "my-vpc"
    subnet_id                   = "subnet-xyz"
    db_sg_id                    = "default"
    host                        = "db.example.internal:3306"
    port                        = 70000
    database                    = "classic models"
    username                    = "admin user"
    password_secret_arn         = "de-c1w2-db"
    data_lake_bucket            = "My_Lake"
    scripts_bucket              = "s3://lab-scripts"
    glue_version                = "2.0"
    job_timeout_minutes         = 1
    log_retention_days          = 10
    athena_bytes_scanned_cutoff = 1000
    aws_endpoint                = "localhost:5000"
  }

  expect_failures = [
    var.project, var.region, var.vpc_id, var.subnet_id, var.db_sg_id, var.host, var.port, var.database, var.username,
    var.password_secret_arn, var.data_lake_bucket, var.scripts_bucket, var.glue_version, var.job_timeout_minutes,
    var.log_retention_days, var.athena_bytes_scanned_cutoff, var.aws_endpoint,
  ]
}

# The secret's key is checked apart: its rules refer to password_secret_arn, which the run above makes invalid.
run "secret_key_is_a_key_arn" {
  command = plan

  variables {
    password_secret_arn         = "arn:aws:secretsmanager:us-east-1:123456789012:secret:de-c1w2-db-AbCdEf"
    password_secret_kms_key_arn = "alias/aws/secretsmanager"
  }

  expect_failures = [var.password_secret_kms_key_arn]
}

run "secret_key_without_secret" {
  command = plan

  variables {
    password_secret_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/99999999-8888-7777-6666-555555555555"
  }

  expect_failures = [var.password_secret_kms_key_arn]
}

run "neither_password_nor_secret" {
  command = plan

  variables {
    password = null
  }

  expect_failures = [var.password]
}
