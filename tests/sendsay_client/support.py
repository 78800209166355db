"""Shared constants and helpers for the Sendsay client tests."""

import json

API_URL = "http://sendsay.test/general/api/v100/json/"
SSEC_URL = "http://ssec.test/general/ssec/v100/json/"
LOGIN = "x_acc"
API_KEY = "k3y-S3cret-0123456789abcdef"
URL = API_URL + LOGIN
CLU1_URL = "http://sendsay.test/clu1/general/api/v100/json/" + LOGIN
AUTH_HEADER = f"sendsay apikey={API_KEY}"


def sent_json(call):
    """The JSON body of one recorded `responses` call."""
    return json.loads(call.request.body)
