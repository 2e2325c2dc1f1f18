"""Drives requests-oauthlib against an https instance the way PySNC and pysnow call it.

Reads its settings as JSON on stdin, prints what it saw as JSON on stdout. Any exception
is a failure the calling test reports with this process's stderr.
"""
import json
import os
import sys

import requests
from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient
from requests.auth import HTTPBasicAuth
from requests_oauthlib import OAuth2Session

settings = json.load(sys.stdin)
base, ca = settings["base"], settings["ca_file"]
token_url = base + "/oauth_token.do"
whoami_url = base + "/api/now/v1/whoami"
client_id, secret = settings["client_id"], settings["client_secret"]
seen = {}

# Password grant, the client in HTTP Basic (requests-oauthlib's default, and PySNC's).
user = OAuth2Session(client=LegacyApplicationClient(client_id=client_id))
token = user.fetch_token(token_url, username=settings["username"], password=settings["password"], client_id=client_id, client_secret=secret, verify=ca)
seen["password"] = {k: token.get(k) for k in ("token_type", "scope", "expires_in")}
seen["password"]["has_refresh_token"] = bool(token.get("refresh_token"))
seen["password_whoami"] = user.get(whoami_url, verify=ca).json()["result"]["user_name"]

# Refresh with the client credentials in the body, as PySNC sends them.
refreshed = user.refresh_token(token_url, client_id=client_id, client_secret=secret, verify=ca)
seen["refreshed"] = refreshed["access_token"] != token["access_token"]
seen["refreshed_whoami"] = user.get(whoami_url, verify=ca).json()["result"]["user_name"]

# client_credentials, then the same trust given by REQUESTS_CA_BUNDLE instead of verify=.
os.environ["REQUESTS_CA_BUNDLE"] = ca
machine = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
token = machine.fetch_token(token_url, auth=HTTPBasicAuth(client_id, secret))
seen["client_credentials"] = {k: token.get(k) for k in ("token_type", "scope", "expires_in")}
seen["client_credentials_whoami"] = machine.get(whoami_url).json()["result"]["client_id"]
del os.environ["REQUESTS_CA_BUNDLE"]

# Without the CA, requests' own verification refuses the instance.
try:
    requests.get(base + "/.well-known/oauth-authorization-server", timeout=10)
    seen["untrusted"] = "connected"
except requests.exceptions.SSLError as error:
    seen["untrusted"] = "SSLError: " + ("CERTIFICATE_VERIFY_FAILED" if "CERTIFICATE_VERIFY_FAILED" in str(error) else str(error))

print(json.dumps(seen))
