"""Speaks to an https instance exactly as PySNC and pysnow do, with the same libraries.

PySNC itself is not packaged in Debian, so this script repeats, line for line where it
matters, what PySNC 1.x does with requests and requests-oauthlib (pysnc/auth.py,
ServiceNowPasswordGrantFlow; pysnc/client.py, API._send, _set_params, TableAPI,
AttachmentAPI, BatchAPI) and what pysnow does (params_builder.py defaults, the JSON
session headers, update as GET-one-then-PUT, legacy Link following).
Reads its settings as JSON on stdin; prints what it saw as JSON on stdout.
"""
import base64
import json
import sys

import requests
from oauthlib.oauth2 import LegacyApplicationClient
from requests_oauthlib import OAuth2Session

settings = json.load(sys.stdin)
instance, ca = settings["base"], settings["ca_file"]
client_id, secret = settings["client_id"], settings["client_secret"]
seen = {}

# --- PySNC: ServiceNowPasswordGrantFlow.authenticate, then ServiceNowClient.__init__ ---
token_url = f"{instance}/oauth_token.do"
session = OAuth2Session(client=LegacyApplicationClient(client_id=client_id),
                        auto_refresh_url=token_url,
                        auto_refresh_kwargs=dict(client_id=client_id, client_secret=secret))
token = session.fetch_token(token_url=token_url, username=settings["username"], password=settings["password"],
                            client_id=client_id, client_secret=secret, verify=ca)
session.verify = ca
session.headers.update(dict(Accept="application/json"))
seen["token"] = {"expires_in_is_int": isinstance(token.get("expires_in"), int), "has_refresh_token": bool(token.get("refresh_token"))}


def send(req, stream=False):
    """API._send: the OAuth token is added by hand because PySNC sends prepared requests."""
    req.url, req.headers, req.data = session._client.add_token(req.url, http_method=req.method, body=req.data, headers=req.headers)
    request = session.prepare_request(req)
    env = session.merge_environment_settings(request.url, {}, stream, None, None)
    return session.send(request, **env)


def set_params(params=None):
    """API._set_params."""
    params = {} if params is None else params
    params.setdefault("sysparm_display_value", "all")
    params.setdefault("sysparm_exclude_reference_link", "true")
    params["sysparm_suppress_pagination_header"] = "true"
    return params


table = f"{instance}/api/now/table/incident"

# GlideRecord.insert (TableAPI.post)
inserted = []
for n in range(3):
    r = send(requests.Request("POST", table, params=set_params(), json={"short_description": f"pysnc-like {n}"}))
    seen.setdefault("insert_status", []).append(r.status_code)
    inserted.append(r.json()["result"]["sys_id"]["value"])

# GlideRecord.query (TableAPI.list), paging by offset as GlideRecord does, reading X-Total-Count.
rows, offset, total = [], 0, None
while total is None or offset < total:
    params = dict(sysparm_query="short_descriptionSTARTSWITHpysnc-like^ORDERBYsys_id",
                  sysparm_fields="sys_id,short_description,caller_id",
                  sysparm_display_value="all", sysparm_exclude_reference_link="true",
                  sysparm_limit=2, sysparm_offset=offset)
    r = send(requests.Request("GET", table, params=set_params(params)))
    total = int(r.headers["X-Total-Count"])
    seen["list_link_header"] = r.headers.get("Link")
    batch = r.json()["result"]
    rows += batch
    offset += len(batch)
seen["list_total"] = total
seen["list_ids_in_order"] = [row["sys_id"]["value"] for row in rows] == sorted(inserted)
seen["list_pair"] = rows[0]["short_description"]

# GlideRecord.update (TableAPI.patch) and delete (TableAPI.delete)
r = send(requests.Request("PATCH", f"{table}/{inserted[0]}", params=set_params(), json={"short_description": "patched"}))
seen["patch"] = [r.status_code, r.json()["result"]["short_description"]["value"]]
r = send(requests.Request("DELETE", f"{table}/{inserted[0]}"))
seen["delete_status"] = r.status_code

# BatchAPI: prepared requests without the session, relative URLs, base64 bodies, an integer id.
prepared = requests.Request("PATCH", f"{table}/{inserted[1]}", params=set_params(), json={"short_description": "batched"}).prepare()
listing = requests.Request("GET", table, params=set_params({"sysparm_query": "ORDERBYsys_id", "sysparm_limit": 1})).prepare()
rest = []
for req in (prepared, listing):
    entry = {"id": str(id(req)), "method": req.method, "url": req.url[req.url.index("/", 8):],
             "headers": [{"name": k, "value": v} for (k, v) in req.headers.items()]}
    if req.body:
        entry["body"] = base64.b64encode(req.body).decode()
    rest.append(entry)
r = session.post(f"{instance}/api/now/v1/batch", json={"batch_request_id": 1, "rest_requests": rest})
data = r.json()
seen["batch_id_matches"] = str(1) == data["batch_request_id"]
answers = {s["id"]: s for s in data["serviced_requests"]}
seen["batch_statuses"] = [answers[str(id(req))]["status_code"] for req in (prepared, listing)]
patched = json.loads(base64.b64decode(answers[str(id(prepared))]["body"]))
seen["batch_patched"] = patched["result"]["short_description"]["value"]

# Attachment.add_attachment (AttachmentAPI.upload_file): its Location header is the answer.
payload = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
r = send(requests.Request("POST", f"{instance}/api/now/v1/attachment/file",
                          params={"file_name": "notes.bin", "table_name": "incident", "table_sys_id": inserted[1]},
                          headers={"Content-Type": "application/octet-stream"}, data=payload))
seen["upload"] = [r.status_code, r.headers["Location"].startswith(instance + "/api/now/attachment/")]
attachment_id = r.headers["Location"].rsplit("/", 1)[1]
# Attachment.query (AttachmentAPI.list) and get, get_file (streamed), delete.
r = send(requests.Request("GET", f"{instance}/api/now/v1/attachment",
                          params=set_params({"sysparm_query": "table_name=incident", "sysparm_offset": 0}),
                          headers=dict(Accept="application/json")))
listed = r.json()["result"]
seen["attachment_list"] = [int(r.headers["X-Total-Count"]), [a["file_name"]["value"] for a in listed]]
r = send(requests.Request("GET", f"{instance}/api/now/v1/attachment/{attachment_id}", params={}))
seen["attachment_meta"] = {k: r.json()["result"][k] for k in ("file_name", "content_type", "size_bytes")}
with send(requests.Request("GET", f"{instance}/api/now/v1/attachment/{attachment_id}/file"), stream=True) as f:
    seen["attachment_bytes_match"] = b"".join(f.iter_content(512)) == payload
r = send(requests.Request("DELETE", f"{instance}/api/now/v1/attachment/{attachment_id}"))
seen["attachment_delete"] = r.status_code

# --- pysnow: JSON session headers, Python's False in parameters, update = GET one + PUT ---
snow = OAuth2Session(client=LegacyApplicationClient(client_id=client_id), token=token)
snow.verify = ca
snow.headers.update({"content-type": "application/json", "accept": "application/json", "User-Agent": "pysnow"})
sysparms = {"sysparm_query": f"sys_id={inserted[2]}", "sysparm_limit": 10000, "sysparm_offset": 0,
            "sysparm_display_value": False, "sysparm_suppress_pagination_header": False,
            "sysparm_exclude_reference_link": False, "sysparm_view": "", "sysparm_fields": ""}
found = snow.request("GET", table, params=sysparms, timeout=60).json()["result"]
seen["pysnow_found"] = len(found)
r = snow.request("PUT", f"{table}/{found[0]['sys_id']}", params=sysparms, data=json.dumps({"short_description": "put"}), timeout=60)
seen["pysnow_put"] = [r.status_code, r.json()["result"]["short_description"]]
# Legacy get_multiple: follow response.links["next"] to the end.
response = snow.get(table, params={"sysparm_query": "ORDERBYsys_id", "sysparm_limit": 1})
pages = 1
while "next" in response.links:
    response = snow.get(response.links["next"]["url"])
    pages += 1
seen["pysnow_pages"] = pages
r = snow.request("DELETE", f"{table}/{found[0]['sys_id']}", params=sysparms, timeout=60)
seen["pysnow_delete"] = r.status_code

print(json.dumps(seen))
