"""The emulated AWS in one process: moto on loopback, with Athena on Trino and Glue runs on Spark patched in.

    python3 -m emulator [--port N] [--trino-url URL] [--spark-master URL] [--trino-heap 2G]
                        [--rds NAME=HOST:PORT ...] [--rds-user lab]

prints one JSON line when the AWS endpoint answers: {"endpoint", "trino": "starting" | url, "sparkMaster"}, and
another, {"trino": url} or {"trino": null, "trinoError": why}, once Trino accepts queries (Athena executions wait
for it in QUEUED meanwhile). It stops, with everything it started, when its stdin closes, on SIGTERM or SIGINT;
if it is killed outright, its children get SIGKILL from the kernel (emulator/procs.py).

Given --trino-url, queries go to that coordinator instead of a local one; it needs an `awsdatacatalog` catalog on
this endpoint (emulator.trino.catalog_properties). Given --spark-master, Glue runs use that Spark master.
"""
from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from typing import Any, Dict, Optional

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer

from . import athena, glue_runner, moto_gaps
from .procs import Spawner, sweep_stale
from .trino import TrinoClient, TrinoServer

REGION = "us-east-1"


class Emulator:
    def __init__(self, port: int = 0, trino_url: Optional[str] = None, spark_master: str = "local[2]",
                 trino_heap: str = "2G", glue_minute_seconds: float = 60.0, region: str = REGION,
                 rds: Optional[Dict[str, str]] = None, rds_user: str = "lab"):
        self.region = region
        sweep_stale()
        self.spawner = Spawner()
        self.moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        self.trino_url_given = trino_url
        self.trino_heap = trino_heap
        self.trino: Optional[TrinoServer] = None
        self.trino_ready = threading.Event()
        self.trino_error: Optional[str] = None
        self.stopping = threading.Event()
        self.endpoint = ""
        self.spark_master = spark_master
        self.glue_minute_seconds = glue_minute_seconds
        self.runner: Optional[glue_runner.GlueRunner] = None
        self._clients: Dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self.rds = rds or {}
        self.rds_user = rds_user

    def client(self, service: str) -> Any:
        """A boto3 client on this emulator (the patches talk to moto through its API, as any AWS caller would)."""
        with self._clients_lock:
            if service not in self._clients:
                self._clients[service] = boto3.client(
                    service, region_name=self.region, endpoint_url=self.endpoint,
                    aws_access_key_id="testing", aws_secret_access_key="testing",  # noqa: S106 - fake keys
                    config=Config(retries={"max_attempts": 2}, s3={"addressing_style": "path"}))
            return self._clients[service]

    def trino_url(self) -> str:
        self.trino_ready.wait()
        if self.trino_error:
            raise RuntimeError(self.trino_error)
        return self.trino.url if self.trino else str(self.trino_url_given)

    def start(self) -> None:
        # werkzeug logs every request on stderr, and a call moto lacks as a whole traceback; the caller gets the
        # HTTP 500 either way, and its own log says what it was doing.
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        self.moto.start()
        host, port = self.moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.runner = glue_runner.GlueRunner(self.spawner, self.endpoint, self.client, region=self.region,
                                             spark_master=self.spark_master,
                                             minute_seconds=self.glue_minute_seconds)
        moto_gaps.install()
        glue_runner.install(self.runner)
        athena.install(athena.AthenaOnTrino(self.trino_url, lambda: self.client("s3")))
        for name, target in self.rds.items():
            self._create_rds_instance(name, target)
        if self.trino_url_given:
            self.trino_ready.set()
        else:
            threading.Thread(target=self._start_trino, name="emulator-trino", daemon=True).start()

    def _create_rds_instance(self, name: str, target: str) -> None:
        """A MySQL instance whose endpoint is host:port (e.g. the local MariaDB lab), as Discover RDS finds it, in a
        VPC of its own with a subnet group and a security group: the Terraform module's network variables (vpc_id,
        subnet_id, db_sg_id) come from the instance, as the editor discovers them on AWS, and the preflight before a
        Glue run finds the network it checks for."""
        host, _, port = target.rpartition(":")
        moto_gaps.rds_endpoints[name] = host
        ec2, rds = self.client("ec2"), self.client("rds")
        zone = f"{self.region}a"
        vpc = ec2.create_vpc(CidrBlock="10.42.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.42.{i}.0/24", AvailabilityZone=f"{self.region}{z}")
                   ["Subnet"]["SubnetId"] for i, z in ((1, "a"), (2, "b"))]
        group = ec2.create_security_group(GroupName=f"{name}-sg", Description=f"{name} database",
                                          VpcId=vpc)["GroupId"]
        # What the lab's own network gives the Glue connection, which uses this group (the preflight checks it): all
        # TCP from itself, which also admits the database port, and an S3 gateway endpoint on the subnets' routes.
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "UserIdGroupPairs": [{"GroupId": group}]}])
        main_routes = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                         {"Name": "association.main", "Values": ["true"]}])
        ec2.create_vpc_endpoint(VpcId=vpc, ServiceName=f"com.amazonaws.{self.region}.s3", VpcEndpointType="Gateway",
                                RouteTableIds=[t["RouteTableId"] for t in main_routes["RouteTables"]])
        rds.create_db_subnet_group(DBSubnetGroupName=f"{name}-subnets", SubnetIds=subnets,
                                   DBSubnetGroupDescription=f"{name} subnets")
        rds.create_db_instance(
            DBInstanceIdentifier=name, Engine="mysql", EngineVersion="8.0.40", DBInstanceClass="db.t3.micro",
            AllocatedStorage=20, Port=int(port), MasterUsername=self.rds_user, AvailabilityZone=zone,
            DBSubnetGroupName=f"{name}-subnets", VpcSecurityGroupIds=[group],
            MasterUserPassword="not-the-source-password")  # noqa: S106 - moto wants one; nothing checks it

    def _start_trino(self) -> None:
        try:
            self.trino = TrinoServer(self.spawner, self.endpoint, region=self.region, heap=self.trino_heap)
            self.trino.start()
            self.trino.wait_ready(stopped=self.stopping.is_set)
            # The first statement pays for the Glue client's and the planner's start-up: here, not in a query.
            TrinoClient(self.trino.url).execute("SHOW SCHEMAS")
        except Exception as err:
            self.trino_error = f"Trino did not start: {err}"
        self.trino_ready.set()

    def stop(self) -> None:
        self.stopping.set()
        if self.runner:
            self.runner.close()
        if self.trino:
            self.trino.stop()
        self.spawner.close()
        self.moto.stop()


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m emulator", description="The lab's emulated AWS on loopback.")
    parser.add_argument("--port", type=int, default=0, help="the AWS endpoint's port (default: a free one)")
    parser.add_argument("--trino-url", help="an existing Trino coordinator instead of a local one")
    parser.add_argument("--spark-master", default="local[2]", help="Spark master URL for Glue runs")
    parser.add_argument("--trino-heap", default="2G", help="the local Trino's -Xmx")
    parser.add_argument("--rds", action="append", default=[], metavar="NAME=HOST:PORT",
                        help="an RDS MySQL instance whose endpoint is HOST:PORT (repeatable)")
    parser.add_argument("--rds-user", default="lab", help="the master user name the RDS instances report")
    parser.add_argument("--glue-minute-seconds", type=float, default=60.0, help=argparse.SUPPRESS)
    parser.add_argument("--detached", action="store_true",
                        help="run on after stdin closes (lab up --aws); stop with SIGTERM (lab down)")
    args = parser.parse_args(argv)
    rds = {}
    for given in args.rds:
        name, eq, target = given.partition("=")
        if not eq or not target.rpartition(":")[2].isdigit():
            parser.error(f"--rds wants NAME=HOST:PORT, got {given!r}")
        rds[name] = target

    emulator = Emulator(args.port, args.trino_url, args.spark_master, args.trino_heap, args.glue_minute_seconds,
                        rds=rds, rds_user=args.rds_user)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    emulator.start()
    print(json.dumps({"endpoint": emulator.endpoint, "trino": args.trino_url or "starting",
                      "sparkMaster": args.spark_master}), flush=True)

    def report_trino() -> None:
        emulator.trino_ready.wait()
        if emulator.trino_error:
            print(json.dumps({"trino": None, "trinoError": emulator.trino_error}), flush=True)
        else:
            print(json.dumps({"trino": emulator.trino_url()}), flush=True)

    threading.Thread(target=report_trino, daemon=True).start()
    if not args.detached:
        threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    emulator.stop()
    return 0
