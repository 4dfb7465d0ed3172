variable "project" {
  type        = string
  description = "Prefix of every name this module creates (the Glue job is <project>-etl-job)."
  default     = "de-c1w2"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.project))
    error_message = "project must be 3 to 32 characters: lower-case letters, digits and hyphens, starting with a letter (for example de-c1w2)."
  }
}

variable "region" {
  type        = string
  description = "AWS region of the lab (for example us-east-1)."
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region code such as us-east-1 or eu-west-2."
  }
}

variable "profile" {
  type        = string
  description = "AWS shared-config profile; null uses the default credential chain (environment, SSO, instance role)."
  default     = null
}

variable "vpc_id" {
  type        = string
  description = "VPC of the source database (the lab's VPC); the subnet must belong to it."

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0 (see the VPC console or `aws ec2 describe-vpcs`)."
  }
}

variable "subnet_id" {
  type        = string
  description = "Private subnet the Glue connection uses to reach the database; its availability zone is the connection's."

  validation {
    condition     = can(regex("^subnet-[0-9a-f]{8,17}$", var.subnet_id))
    error_message = "subnet_id must look like subnet-0123456789abcdef0 (a subnet of vpc_id that can reach the database)."
  }
}

variable "db_sg_id" {
  type        = string
  description = "Security group for the Glue connection: it must reach the database port and allow all TCP from itself (Glue's requirement)."

  validation {
    condition     = can(regex("^sg-[0-9a-f]{8,17}$", var.db_sg_id))
    error_message = "db_sg_id must look like sg-0123456789abcdef0 (the security group of the lab's database)."
  }
}

variable "host" {
  type        = string
  description = "Database host name (the RDS endpoint address, without the port)."

  validation {
    condition     = can(regex("^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$", var.host)) && !can(regex(":", var.host))
    error_message = "host must be a DNS name or IP address without a port or scheme, for example de-c1w2-rds.abc123.us-east-1.rds.amazonaws.com."
  }
}

variable "port" {
  type        = number
  description = "Database port."
  default     = 3306

  validation {
    condition     = var.port >= 1 && var.port <= 65535 && floor(var.port) == var.port
    error_message = "port must be a whole number from 1 to 65535 (MySQL listens on 3306)."
  }
}

variable "database" {
  type        = string
  description = "Source database the job reads."
  default     = "classicmodels"

  validation {
    condition     = can(regex("^[A-Za-z0-9_$]{1,64}$", var.database))
    error_message = "database must be a MySQL database name: 1 to 64 letters, digits, _ or $."
  }
}

variable "username" {
  type        = string
  description = "Database user the Glue connection logs in as (ignored when password_secret_arn is set: the secret holds it)."
  default     = "admin"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.@-]{1,80}$", var.username))
    error_message = "username must be 1 to 80 letters, digits, or _ . @ -."
  }
}

variable "password_secret_arn" {
  type        = string
  description = "Preferred: ARN of a Secrets Manager secret with {\"username\", \"password\"} (the RDS format). The job reads it at run time, so Terraform never holds the password."
  default     = null

  validation {
    condition     = var.password_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", var.password_secret_arn))
    error_message = "password_secret_arn must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)."
  }
}

variable "password_secret_kms_key_arn" {
  type        = string
  description = "Only when password_secret_arn's secret is encrypted with a customer-managed KMS key: that key's ARN, which the job's role may then use to decrypt through Secrets Manager. The default key (aws/secretsmanager) needs nothing here."
  default     = null

  validation {
    condition     = var.password_secret_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.password_secret_kms_key_arn))
    error_message = "password_secret_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), not an alias."
  }
  validation {
    condition     = var.password_secret_kms_key_arn == null || var.password_secret_arn != null
    error_message = "password_secret_kms_key_arn is the key of password_secret_arn's secret: set password_secret_arn too, or leave the key unset."
  }
}

variable "password" {
  type        = string
  description = "The weaker route, for running Terraform by hand without a secret: the database password, kept in the connection's (sensitive) properties and so in the state and in saved plans. Pass it as TF_VAR_password, never in a file. The editor never sets it (it passes password_secret_arn)."
  default     = null
  sensitive   = true

  validation {
    condition     = var.password_secret_arn != null || (var.password != null && length(coalesce(var.password, " ")) >= 8)
    error_message = "Set password_secret_arn (preferred) or password (at least 8 characters, through the TF_VAR_password environment variable)."
  }
}

variable "data_lake_bucket" {
  type        = string
  description = "S3 bucket of the lake: the Parquet tables under gold/, the manifest, and Athena's results under athena-results/."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.data_lake_bucket)) && !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.data_lake_bucket))
    error_message = "data_lake_bucket must be a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens."
  }
}

variable "scripts_bucket" {
  type        = string
  description = "S3 bucket for the job script and the model SQL (under glue/)."

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.scripts_bucket)) && !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.scripts_bucket))
    error_message = "scripts_bucket must be a valid S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens."
  }
}

variable "create_buckets" {
  type        = bool
  description = "Create both buckets here (encrypted, versioned, private). Set false when they exist already; the module then only adds objects."
  default     = true
}

variable "force_destroy_buckets" {
  type        = bool
  description = "Let `terraform destroy` delete the buckets with everything in them (the lake's runs, Athena results)."
  default     = false
}

variable "glue_version" {
  type        = string
  description = "Glue version of the job (4.0 or later: Spark 3.3+, Python 3.10)."
  default     = "4.0"

  validation {
    condition     = contains(["4.0", "5.0"], var.glue_version)
    error_message = "glue_version must be 4.0 or 5.0 (the job needs Spark 3.3 or later)."
  }
}

variable "job_timeout_minutes" {
  type        = number
  description = "The job run is stopped after this many minutes."
  default     = 30

  validation {
    condition     = var.job_timeout_minutes >= 5 && var.job_timeout_minutes <= 480
    error_message = "job_timeout_minutes must be between 5 and 480."
  }
}

variable "log_retention_days" {
  type        = number
  description = "How long CloudWatch keeps the job's logs."
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of CloudWatch's values: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}

variable "athena_bytes_scanned_cutoff" {
  type        = number
  description = "Athena cancels a query of the workgroup that scans more than this many bytes (the lab's lake is a few MB)."
  default     = 1073741824

  validation {
    condition     = var.athena_bytes_scanned_cutoff >= 10485760
    error_message = "athena_bytes_scanned_cutoff must be at least 10485760 (10 MB, Athena's minimum)."
  }
}

variable "glue_dir" {
  type        = string
  description = "Folder holding glue_job.py, its modules, manifest.schema.json and sql/; null means the glue/ beside this module (the editor gives the installed extension's glue/ when it runs the module it ships from a working copy)."
  default     = null
}

variable "aws_endpoint" {
  type        = string
  description = "Only for an AWS emulator (moto, LocalStack): one endpoint URL for every service. Leave unset on AWS."
  default     = null

  validation {
    condition     = var.aws_endpoint == null || can(regex("^https?://[^\\s/]+(:[0-9]+)?/?$", var.aws_endpoint))
    error_message = "aws_endpoint must be a URL such as http://127.0.0.1:5000, or unset for real AWS."
  }
}

variable "tags" {
  type        = map(string)
  description = "Extra tags for every resource (added to Project, ManagedBy and Source)."
  default     = {}
}
