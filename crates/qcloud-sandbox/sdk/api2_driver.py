"""Drive qcloud-sandbox with Tencent Cloud's official API 2.0 SDK (qcloudapi-sdk-python).

Reads a plan (JSON) on stdin:

    {"endpoint": "127.0.0.1:PORT", "secret_id": "...", "secret_key": "...",
     "method": "GET" | "POST", "signature_method": "HmacSHA1" | "HmacSHA256",
     "region": "ap-guangzhou",
     "calls": [{"action": "DescribeImages", "params": {...}}, ...]}

A call may override "secret_id", "secret_key" and "region". Each call goes through the SDK's
own QcloudApi("image", ...) client, which builds, signs and sends the request.

The SDK only speaks HTTPS; the sandbox here speaks plain HTTP on loopback. The one change made
to the SDK is its connection class, swapped for a plain HTTP one before any call: what is sent
(method, host, path, parameters, signature) is still built by the SDK.

Prints one JSON object on stdout: {"results": [...]}, each the API's JSON answer as parsed.
"""

import http.client
import json
import sys

import QcloudApi.common.request as sdk_request
from QcloudApi.modules.image import Image
from QcloudApi.qcloudapi import QcloudApi


class PlainHTTPConnection(http.client.HTTPConnection):
    """The SDK's connection over plain HTTP: the same interface, no TLS."""

    def __init__(self, host, port=None):
        http.client.HTTPConnection.__init__(self, host, port)
        self.request_length = 0


sdk_request.MyHTTPSConnection = PlainHTTPConnection


def run(plan, call):
    """One call: the parsed JSON answer."""
    config = {
        "Region": call.get("region", plan["region"]),
        "secretId": call.get("secret_id", plan["secret_id"]),
        "secretKey": call.get("secret_key", plan["secret_key"]),
        "method": plan["method"],
        "SignatureMethod": plan["signature_method"],
    }
    # The module's host, pointed at the sandbox; the SDK signs with it.
    Image.requestHost = plan["endpoint"]
    answer = QcloudApi("image", config).call(call["action"], dict(call["params"]))
    return json.loads(answer)


def main():
    plan = json.load(sys.stdin)
    json.dump({"results": [run(plan, call) for call in plan["calls"]]}, sys.stdout)


if __name__ == "__main__":
    main()
