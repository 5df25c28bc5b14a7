"""Fuzzes a live intake with schemathesis against docs/intake-openapi.yaml (scripts/fuzz-intake).

Every request is signed as a registered test kit (seed 01*32, centre 00042, kit 00001), the way
src/sync/signing.rs signs, so generated requests reach the handlers behind the signature check;
half of the generated batch ids carry the kit's numbers so they get past the batch-id check too.
Checks: no 5xx, every status is one the document lists, every JSON body matches its schema.
Deterministic (derandomized hypothesis) so that a CI run is the same run every time.
"""

import hashlib
import os
import secrets
import sys
import time

import hypothesis
import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

KEY = Ed25519PrivateKey.from_private_bytes(bytes([1] * 32))
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()
PREFIX = "0004200001-"


class KitSignature(requests.auth.AuthBase):
    """Signs the prepared request: method, path, upload headers, body digest, time, nonce, key."""

    def __call__(self, r):
        body = r.body or b""
        if isinstance(body, str):
            body = body.encode()
        method = r.method.upper()
        digest = "" if method == "PATCH" else hashlib.sha256(body).hexdigest()
        path = r.path_url.split("?", 1)[0]
        created = int(time.time())
        nonce = secrets.token_hex(16)
        lines = [
            "enroll-kit-request-v1",
            method,
            path,
            r.headers.get("Upload-Offset", ""),
            r.headers.get("Upload-Sha256", ""),
            digest,
            str(created),
            nonce,
            PUBLIC,
        ]
        sig = KEY.sign("\n".join(lines).encode()).hex()
        r.headers["Enroll-Kit-Signature"] = f"key={PUBLIC};created={created};nonce={nonce};sig={sig}"
        return r


def ours(case):
    batch = (case.path_parameters or {}).get("batch")
    if isinstance(batch, str) and len(batch) % 2 == 0:
        case.path_parameters["batch"] = (PREFIX + batch)[:64]
    return case


def main():
    if sys.argv[1:2] == ["public-key"]:
        print(PUBLIC)
        return
    spec, url, cert = sys.argv[1], sys.argv[2], sys.argv[3]
    examples = int(os.environ.get("FUZZ_EXAMPLES", "60"))
    schema = schemathesis.openapi.from_path(spec)
    session = requests.Session()
    session.auth = KitSignature()
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    failures = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy().map(ours))
        def run(case):
            # The intake's certificate is its own CA here, as the kits pin it.
            response = case.call(base_url=url, session=session, verify=cert)
            case.validate_response(response, checks=checks)

        try:
            run()
            print(f"ok    {operation.label}: {examples} examples")
        except (Exception, BaseExceptionGroup) as e:  # one operation's failure must not hide the others'
            failures += 1
            print(f"FAIL  {operation.label}: {e}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
