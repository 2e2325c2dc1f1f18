"""Redeems an authorization code for a public client with requests-oauthlib's defaults.

With no client_secret, OAuth2Session.fetch_token still sends the client in HTTP Basic, with an
empty password. Reads its settings as JSON on stdin, prints the token's fields as JSON.
"""
import json
import os
import sys

from requests_oauthlib import OAuth2Session

settings = json.load(sys.stdin)
# The instance under test serves plain HTTP on loopback.
os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
session = OAuth2Session(settings["client_id"], redirect_uri=settings["redirect_uri"])
token = session.fetch_token(settings["base"] + "/oauth_token.do", code=settings["code"], code_verifier=settings["verifier"])
seen = {k: token.get(k) for k in ("token_type", "scope")}
seen["has_refresh_token"] = bool(token.get("refresh_token"))
seen["whoami"] = session.get(settings["base"] + "/api/now/v1/whoami").json()["result"]["user_name"]
print(json.dumps(seen))
