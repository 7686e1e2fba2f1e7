"""A Python gRPC client generated from proto/ with protoc's Python and gRPC plugins (interop check).

Usage: python_client.py GEN_DIR HOST:PORT
Submits a digest with immediate sealing off, asks the admin service to seal, proves the leaf,
and prints one JSON line with what it saw. Exits non-zero on any failure.
"""
import hashlib
import json
import sys

sys.path.insert(0, sys.argv[1])

import grpc  # noqa: E402
from spark.v1 import admin_pb2, admin_pb2_grpc, processor_pb2, processor_pb2_grpc  # noqa: E402


def main() -> None:
    target = sys.argv[2]
    digest = hashlib.sha256(b"hello from python").digest()
    with grpc.insecure_channel(target) as channel:
        client = processor_pb2_grpc.SparkProcessorStub(channel)
        admin = admin_pb2_grpc.SparkAdminStub(channel)
        receipt = client.Submit(processor_pb2.SubmitRequest(digest=digest, request_id="py-1"), timeout=10).receipt
        admin.SealNow(admin_pb2.SealNowRequest(), timeout=10)
        proof = client.Prove(processor_pb2.ProveRequest(leaf_hash=receipt.leaf_hash), timeout=10)
        verdict = client.Verify(
            processor_pb2.VerifyRequest(bundle=proof.bundle.SerializeToString(), digest=digest), timeout=10
        )
        try:
            client.Submit(processor_pb2.SubmitRequest(digest=digest[:31]), timeout=10)
            bad_code = "OK"
        except grpc.RpcError as err:
            bad_code = err.code().name
            bad_message = err.details()
    print(
        json.dumps(
            {
                "leafHash": receipt.leaf_hash.hex(),
                "submitStatus": receipt.status,
                "proveStatus": proof.status,
                "bundleLeafHash": proof.bundle.leaf.leaf_hash.hex(),
                "treeSize": proof.bundle.inclusion.tree_size,
                "valid": verdict.valid,
                "checks": [c.name for c in verdict.checks],
                "badDigestCode": bad_code,
                "badDigestMessage": bad_message,
            }
        )
    )


if __name__ == "__main__":
    main()
