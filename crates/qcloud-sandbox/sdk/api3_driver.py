"""Drive qcloud-sandbox with Tencent Cloud's official API 3.0 SDK (tencentcloud-sdk-python).

Reads a plan (JSON) on stdin:

    {"endpoint": "127.0.0.1:PORT", "secret_id": "...", "secret_key": "...", "token": null,
     "sign_method": "TC3-HMAC-SHA256" | "HmacSHA1" | "HmacSHA256",
     "http_method": "POST" | "GET", "unsigned_payload": false, "region": "ap-guangzhou",
     "calls": [{"action": "DescribeImages", "params": {...}}, ...]}

"unsigned_payload" sets the SDK's own option to leave a TC3 body unsigned
(X-TC-Content-SHA256: UNSIGNED-PAYLOAD).

A call may override "secret_id", "secret_key" and "region". Each call goes through the SDK's
own client (CvmClient), request model and signer; nothing here signs or parses by hand.

Prints one JSON object on stdout: {"results": [...], "warnings": [...]}, a result per call:
{"ok": true, "response": {...}} (the response model as the SDK serialises it), or
{"ok": false, "code": "...", "message": "...", "request_id": "..."} for a
TencentCloudSDKException. "warnings" holds what the SDK warned about while reading answers,
such as fields its models do not know.
"""

import json
import sys
import warnings

from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.cvm.v20170312 import cvm_client, models


def make_client(plan, call):
    """A CvmClient for the plan, with the call's overrides."""
    cred = credential.Credential(
        call.get("secret_id", plan["secret_id"]),
        call.get("secret_key", plan["secret_key"]),
        plan.get("token"),
    )
    http = HttpProfile(protocol="http", endpoint=plan["endpoint"], reqMethod=plan["http_method"])
    profile = ClientProfile(signMethod=plan["sign_method"], httpProfile=http)
    profile.unsignedPayload = bool(plan.get("unsigned_payload", False))
    return cvm_client.CvmClient(cred, call.get("region", plan["region"]), profile)


def run(plan, call):
    """One call: the SDK's answer, or the exception it raised."""
    request = getattr(models, call["action"] + "Request")()
    request.from_json_string(json.dumps(call["params"]))
    try:
        response = getattr(make_client(plan, call), call["action"])(request)
    except TencentCloudSDKException as error:
        return {
            "ok": False,
            "code": error.get_code(),
            "message": error.get_message(),
            "request_id": error.get_request_id(),
        }
    return {"ok": True, "response": json.loads(response.to_json_string())}


def main():
    plan = json.load(sys.stdin)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [run(plan, call) for call in plan["calls"]]
    json.dump({"results": results, "warnings": [str(w.message) for w in caught]}, sys.stdout)


if __name__ == "__main__":
    main()
