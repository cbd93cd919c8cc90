"""Signatures computed by Tencent Cloud's official SDKs for fixed inputs: golden vectors.

The client's signers (API 2.0 and TC3-HMAC-SHA256) hard-code these in their unit tests, and
tests/official_sdks.rs checks the sandbox's own signature code against them, so both are
proven against code Tencent wrote. Run with the SDK tier's virtual environment:

    target/tmp/official-sdk-venv/bin/python crates/qcloud-sandbox/sdk/golden_vectors.py

Prints one JSON object: {"v2": [...], "v1": [...], "tc3": [...]}. Every string to sign,
canonical request and signature in it is built by the SDKs' own functions; this file only
chooses the inputs (credentials, timestamp, nonce, parameters, body).
"""

import json
import sys
from unittest import mock

from QcloudApi.common.sign import Sign as SignV2
from tencentcloud.common import credential
from tencentcloud.common.http.request import RequestInternal
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.common.sign import Sign
from tencentcloud.cvm.v20170312 import cvm_client

# The credentials of Tencent's own signature examples.
SECRET_ID = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA"
V2_SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3Cozk1qA"
TC3_SECRET_KEY = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"


def v2_vectors():
    """qcloudapi-sdk-python's Sign.make: GET and POST, HmacSHA1 and HmacSHA256."""
    host, path = "image.api.qcloud.com", "/v2/index.php"
    vectors = []
    for method in ("GET", "POST"):
        for sign_method in ("HmacSHA1", "HmacSHA256"):
            params = {
                "Action": "DescribeImages",
                "Nonce": 11886,
                "Region": "ap-guangzhou",
                "SecretId": SECRET_ID,
                "SignatureMethod": sign_method,
                "Timestamp": 1700000000,
                "imageIds.0": "img-31tjrtph",
                "imageType": 2,
                "limit": 100,
                "offset": 0,
            }
            if method == "POST":
                params["Token"] = "temporary-token"
            signature = SignV2(SECRET_ID, V2_SECRET_KEY).make(host, path, params, method, sign_method)
            vectors.append({
                "method": method,
                "host": host,
                "path": path,
                "signature_method": sign_method,
                "params": {k: str(v) for k, v in params.items()},
                "signature": signature,
            })
    return vectors


def cvm_client_at(endpoint, sign_method, req_method):
    """A CvmClient whose profile the SDK's own string-to-sign builder reads."""
    http = HttpProfile(endpoint=endpoint, reqMethod=req_method)
    profile = ClientProfile(signMethod=sign_method, httpProfile=http)
    cred = credential.Credential(SECRET_ID, V2_SECRET_KEY)
    return cvm_client.CvmClient(cred, "ap-guangzhou", profile)


def v1_vectors():
    """tencentcloud-sdk-python-common's signature v1: the string to sign from the client's
    _format_sign_string, the signature from Sign.sign."""
    vectors = []
    for req_method, sign_method in (("GET", "HmacSHA1"), ("POST", "HmacSHA256")):
        client = cvm_client_at("cvm.tencentcloudapi.com", sign_method, req_method)
        params = {
            "Action": "DescribeImages",
            "Filters.0.Name": "image-type",
            "Filters.0.Values.0": "PUBLIC_IMAGE",
            "Limit": 100,
            "Nonce": 345122,
            "Offset": 0,
            "Region": "ap-guangzhou",
            "SecretId": SECRET_ID,
            "SignatureMethod": sign_method,
            "Timestamp": 1700000000,
            "Version": "2017-03-12",
        }
        text = client._format_sign_string(params)
        vectors.append({
            "method": req_method,
            "host": "cvm.tencentcloudapi.com",
            "path": "/",
            "signature_method": sign_method,
            "params": {k: str(v) for k, v in params.items()},
            "string_to_sign": text,
            "signature": Sign.sign(V2_SECRET_KEY, text, sign_method),
        })
    return vectors


def tc3_vector(action, params, timestamp, content_type=None, body=None):
    """A TC3-HMAC-SHA256 request as the SDK builds it at `timestamp`: its body and headers
    (the SDK's own JSON and Authorization), or, with `content_type` and `body`, the SDK's
    signature of that exact request."""
    client = cvm_client_at("cvm.tencentcloudapi.com", "TC3-HMAC-SHA256", "POST")
    client.credential = credential.Credential(SECRET_ID, TC3_SECRET_KEY)
    request = RequestInternal("cvm.tencentcloudapi.com", "POST", "/")
    with mock.patch("time.time", return_value=timestamp):
        client._build_req_with_tc3_signature(action, params, request)
    if body is not None:
        request.header["Content-Type"] = content_type
        request.data = body
        date = request.header["Authorization"].split("/")[1]
        signature = client._get_tc3_signature(params, request, date, "cvm", TC3_SECRET_KEY)
        request.header["Authorization"] = None
    else:
        signature = request.header["Authorization"].rsplit("Signature=", 1)[1]
    return {
        "action": action,
        "host": "cvm.tencentcloudapi.com",
        "timestamp": timestamp,
        "content_type": request.header["Content-Type"],
        "body": request.data,
        "authorization": request.header["Authorization"],
        "signature": signature,
    }


def tc3_vectors():
    filters = {"Filters": [{"Name": "image-type", "Values": ["PUBLIC_IMAGE"]}], "Offset": 0, "Limit": 100}
    client_body = '{"Filters":[{"Name":"image-type","Values":["PUBLIC_IMAGE"]}],"Offset":0,"Limit":100}'
    return [
        tc3_vector("DescribeImages", filters, 1700000000),
        tc3_vector("DescribeImageFromFamily", {"ImageFamily": "web-golden"}, 1735689599),
        tc3_vector(
            "DescribeImages",
            filters,
            1700000000,
            content_type="application/json; charset=utf-8",
            body=client_body,
        ),
    ]


def main():
    json.dump({"v2": v2_vectors(), "v1": v1_vectors(), "tc3": tc3_vectors()}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
