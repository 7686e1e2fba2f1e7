#!/usr/bin/python3
"""Spark Processor from Python: submit, seal, prove, verify — with a client generated from proto/ by protoc.

Usage:  python3 spark_example.py [--server HOST:PORT] [--out DIR]

Needs Debian's protobuf-compiler, protobuf-compiler-grpc, python3-grpcio and python3-protobuf (no pip); without
protoc on PATH it tries grpc_tools.protoc (grpcio-tools). The stubs are generated into a temporary directory at each
run, so they always match the server's protos. Prints what it does, one line per step; the last line is a JSON
summary. Exits 0 when everything came out as expected, 1 when not, and 2 with a message naming what to install
when the stubs cannot be generated or grpc cannot be imported.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "proto"))
PROTOS = ["spark/v1/bundle.proto", "spark/v1/processor.proto", "spark/v1/admin.proto"]


def fail(message: str):
    """Stops with exit status 2: the example could not run (as opposed to 1, a run that came out wrong)."""
    print(f"spark_example: {message}", file=sys.stderr)
    sys.exit(2)


INSTALL_HINT = (
    "needs Debian's protobuf-compiler and protobuf-compiler-grpc (protoc and grpc_python_plugin on PATH), "
    "or a grpcio-tools recent enough for proto3 optional fields"
)


def _protoc_command():
    """protoc with the gRPC Python plugin: Debian's binaries on PATH first, else grpc_tools' bundled protoc."""
    protoc, plugin = shutil.which("protoc"), shutil.which("grpc_python_plugin")
    if protoc and plugin:
        return protoc, [protoc, f"--plugin=protoc-gen-grpc_python={plugin}"]
    try:
        import grpc_tools  # noqa: PLC0415
    except ImportError:
        return None
    # grpc_tools carries the well-known types (google/protobuf/*.proto) beside its protoc.
    well_known = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
    return "grpc_tools.protoc", [sys.executable, "-m", "grpc_tools.protoc", f"-I{well_known}"]


def generate_stubs(target: str) -> None:
    """Generates the Python messages and gRPC stubs of the project's protos into `target` and imports from there."""
    found = _protoc_command()
    if found is None:
        fail(f"no protoc found: {INSTALL_HINT}")
    name, command = found
    run = subprocess.run(
        [*command, f"-I{PROTO_DIR}", f"--python_out={target}", f"--grpc_python_out={target}", *PROTOS],
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        fail(f"generating the stubs with {name} failed ({INSTALL_HINT}):\n{run.stderr.strip()}")
    sys.path.insert(0, target)


def _fields(buf: bytes):
    """Yields (field number, wire type, value) of a protobuf message: enough to read google.rpc.Status and Any."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 2:
            length, i = _varint(buf, i)
            value, i = buf[i : i + length], i + length
        elif wire == 5:
            value, i = buf[i : i + 4], i + 4
        elif wire == 1:
            value, i = buf[i : i + 8], i + 8
        else:
            raise ValueError(f"unexpected wire type {wire}")
        yield number, wire, value


def _varint(buf: bytes, i: int):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def error_detail(err, processor_pb2):
    """The spark.v1.ErrorDetail in the grpc-status-details-bin trailer (a google.rpc.Status), if any."""
    for key, value in err.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        for number, _, any_bytes in _fields(value):
            if number != 3:  # google.rpc.Status.details: repeated google.protobuf.Any
                continue
            parts = {n: v for n, _, v in _fields(any_bytes)}
            if parts.get(1, b"").endswith(b"/spark.v1.ErrorDetail"):
                return processor_pb2.ErrorDetail.FromString(parts.get(2, b""))
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="127.0.0.1:50051")
    parser.add_argument("--out", default=".", help="directory for the proof bundle (.spark)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="spark-pystubs-") as gen:
        generate_stubs(gen)
        try:
            import grpc  # noqa: PLC0415
        except ImportError as err:
            fail(f"{err}: needs Debian's python3-grpcio and python3-protobuf")
        from spark.v1 import admin_pb2, admin_pb2_grpc, bundle_pb2, processor_pb2, processor_pb2_grpc  # noqa: PLC0415

        try:
            with grpc.insecure_channel(args.server) as channel:
                client = processor_pb2_grpc.SparkProcessorStub(channel)
                admin = admin_pb2_grpc.SparkAdminStub(channel)

                data = b"contract #42, signed 2026-11-22"
                digest = hashlib.sha256(b"an invoice the client hashed itself").digest()
                by_data = client.Submit(processor_pb2.SubmitRequest(data=data), timeout=10).receipt
                print(f"submitted data:   leaf {by_data.leaf_hash.hex()} digest {by_data.digest.hex()}")
                by_digest = client.Submit(
                    processor_pb2.SubmitRequest(digest=digest, request_id="py-example-1"), timeout=10
                ).receipt
                print(f"submitted digest: leaf {by_digest.leaf_hash.hex()}")

                sealed = admin.SealNow(admin_pb2.SealNowRequest(), timeout=30)
                print(f"sealed:           batch {sealed.sequence} with {sealed.tree_size} leaves")

                proof = client.Prove(processor_pb2.ProveRequest(leaf_hash=by_data.leaf_hash), timeout=10)
                path = os.path.join(args.out, by_data.leaf_hash.hex()[:16] + ".spark")
                with open(path, "wb") as f:
                    f.write(proof.bundle.SerializeToString())
                print(f"proved:           status {bundle_pb2.Status.Name(proof.status)}, bundle written to {path}")

                verdict = client.Verify(
                    processor_pb2.VerifyRequest(bundle=proof.bundle.SerializeToString(), data=data), timeout=10
                )
                for check in verdict.checks:
                    print(f"  {'ok  ' if check.ok else 'FAIL'} {check.name:<13} {check.detail}")
                print(f"verified:         {'VALID' if verdict.valid else 'INVALID'}")

                wrong = client.Verify(
                    processor_pb2.VerifyRequest(bundle=proof.bundle.SerializeToString(), data=b"another file"), timeout=10
                )
                print(f"with another file: {'VALID' if wrong.valid else 'INVALID'}")

                refused = {}
                try:
                    client.Submit(processor_pb2.SubmitRequest(digest=digest[:31]), timeout=10)
                except grpc.RpcError as err:
                    detail = error_detail(err, processor_pb2)
                    refused = {
                        "code": err.code().name,
                        "message": err.details(),
                        "reason": detail.reason if detail else None,
                        "field": detail.field if detail else None,
                    }
                    print(f"refused:          {refused['code']} {refused['reason']} field={refused['field']}: {refused['message']}")
        except grpc.RpcError as err:
            # Any call but the refusal above, which is meant to fail.
            print(f"spark_example: {err.code().name}: {err.details()} (is a sidecar listening on {args.server}?)", file=sys.stderr)
            return 1

    print(
        json.dumps(
            {
                "leafHash": by_data.leaf_hash.hex(),
                "status": bundle_pb2.Status.Name(proof.status),
                "bundle": path,
                "valid": verdict.valid,
                "validWithAnotherFile": wrong.valid,
                "refused": refused,
            }
        )
    )
    return 0 if verdict.valid and not wrong.valid and refused.get("code") == "INVALID_ARGUMENT" else 1


if __name__ == "__main__":
    sys.exit(main())
