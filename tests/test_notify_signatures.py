"""The cloud signatures (server/notify/signatures.py) against the vendors' own documented worked examples.

Every expected value below is copied from vendor documentation, never produced by andian's code:

- Aliyun RPC signature mechanism (help.aliyun.com "签名机制" / "Signature mechanism"; the overview's example URL
  carries ``Signature=CT9X0VtwR86fNWSnsc6v8YGOjuE%3D``): DescribeRegions with AccessKey ``testid`` /
  ``testsecret``. The page prints the string to sign with some ``%26`` shown as ``&``; the documented signature
  is the HMAC of the fully encoded string, which is the one below.
- Aliyun SMS "HTTP 协议及签名" (help.aliyun.com/document_detail/56189): SendSms with ``testId`` / ``testSecret``,
  sign name 阿里云短信测试专用, template SMS_71390007 → ``zJDF+Lrzhj/ThnlvIToysFRq6t4=``.
- Tencent Cloud API 3.0 "签名方法 v3" / "Signature v3": CVM DescribeInstances at timestamp 1551113065 with
  SecretId ``AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE`` and SecretKey ``Gu5t9xGARNpq86cd98joQYCN3EXAMPLE``, with the
  documented intermediate hashes and Authorization header. (The current Chinese page masks the key as
  ``Gu5t9xGARNpq86cd98joQYCN3*******`` and prints the signature for that literal string; that case is checked too.)
"""

from __future__ import annotations

from server.notify import signatures as sig

DESCRIBE_REGIONS = {
    "TimeStamp": "2016-02-23T12:46:24Z", "Format": "XML", "AccessKeyId": "testid", "Action": "DescribeRegions",
    "SignatureMethod": "HMAC-SHA1", "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
    "Version": "2014-05-26", "SignatureVersion": "1.0",
}
DESCRIBE_REGIONS_STRING_TO_SIGN = (
    "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
    "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0"
    "%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"
)

SEND_SMS = {
    "AccessKeyId": "testId", "Timestamp": "2017-07-12T02:42:19Z", "SignatureMethod": "HMAC-SHA1",
    "SignatureVersion": "1.0", "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466", "Action": "SendSms",
    "Version": "2017-05-25", "RegionId": "cn-hangzhou", "PhoneNumbers": "15300000001", "SignName": "阿里云短信测试专用",
    "TemplateCode": "SMS_71390007", "TemplateParam": '{"customer":"test"}', "Format": "XML", "OutId": "123",
}
SEND_SMS_QUERY = (  # the documented sorted, encoded query (before the outer encoding)
    "AccessKeyId=testId&Action=SendSms&Format=XML&OutId=123&PhoneNumbers=15300000001&RegionId=cn-hangzhou"
    "&SignName=%E9%98%BF%E9%87%8C%E4%BA%91%E7%9F%AD%E4%BF%A1%E6%B5%8B%E8%AF%95%E4%B8%93%E7%94%A8"
    "&SignatureMethod=HMAC-SHA1&SignatureNonce=45e25e9b-0a6f-4070-8c85-2956eda1b466&SignatureVersion=1.0"
    "&TemplateCode=SMS_71390007&TemplateParam=%7B%22customer%22%3A%22test%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z"
    "&Version=2017-05-25"
)

TC3_PAYLOAD = b'{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}'
TC3_CANONICAL = (
    "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n"
    "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
)
TC3_STRING_TO_SIGN = (
    "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
    "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
)
TC3_AUTHORIZATION = (
    "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
    "SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
)


def test_aliyun_describe_regions_example() -> None:
    assert sig.aliyun_string_to_sign("GET", DESCRIBE_REGIONS) == DESCRIBE_REGIONS_STRING_TO_SIGN
    assert sig.aliyun_signature("testsecret", "GET", DESCRIBE_REGIONS) == "CT9X0VtwR86fNWSnsc6v8YGOjuE="


def test_aliyun_send_sms_example_with_a_chinese_sign_name() -> None:
    assert sig.aliyun_query(SEND_SMS) == SEND_SMS_QUERY
    assert sig.aliyun_signature("testSecret", "GET", SEND_SMS) == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


def test_aliyun_percent_encoding_rules() -> None:
    # RFC 3986 as the signature mechanism states: space %20 (not +), * %2A, ~ kept, / encoded.
    assert sig.percent_encode("a b*c~d/e+f") == "a%20b%2Ac~d%2Fe%2Bf"


def test_tencent_tc3_example() -> None:
    assert sig.tc3_canonical_request("cvm.tencentcloudapi.com", TC3_PAYLOAD,
                                     "application/json; charset=utf-8") == TC3_CANONICAL
    assert sig.tc3_string_to_sign(1551113065, "cvm", TC3_CANONICAL) == TC3_STRING_TO_SIGN
    assert sig.tc3_authorization("AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                                 service="cvm", host="cvm.tencentcloudapi.com", timestamp=1551113065,
                                 payload=TC3_PAYLOAD) == TC3_AUTHORIZATION


def test_tencent_tc3_example_as_the_chinese_page_prints_it() -> None:
    assert sig.tc3_signature("Gu5t9xGARNpq86cd98joQYCN3*******", 1551113065, "cvm", TC3_CANONICAL) == (
        "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c")


def test_tencent_date_is_the_utc_date() -> None:
    # The documented pitfall: 1551113065 is 2019-02-26 00:44 in Beijing, but the scope's date is 2019-02-25.
    assert sig.tc3_date(1551113065) == "2019-02-25"
