"""A stand-in for the Open edX LMS, for what Superset's sign-in asks of it.

The LMS itself cannot run here; this HTTP server answers the calls Superset
makes during and after sign-in, as the LMS answers them:

- `GET /oauth2/authorize`: the LMS's OAuth2 authorization (django-oauth-toolkit).
  The "signed-in LMS user" is the `standin_lms_user` cookie (the LMS session);
  with none, 401. Redirects to the registered redirect URI with a one-time code.
- `POST /oauth2/access_token`: code or refresh-token grant, the client
  authenticated by HTTP basic auth or form fields; `token_type=jwt` gives a JWT
  access token with the LMS's claims (preferred_username, email, name,
  administrator = global staff, superuser).
- `GET /api/courses/v1/courses/?permissions=staff&username=U`: the courses U is
  staff or instructor of, one per page (`pagination.next` links, edx-platform's
  namespaced pagination), for a
  `JWT <token>` of U itself (or of global staff).

`calls` records each request's path, for tests that count them.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt

TOKEN_SECONDS = 3600


@dataclass
class LmsUser:
    username: str
    staff_of: list[str] = field(default_factory=list)
    administrator: bool = False  # global staff
    superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


class StandinLms:
    def __init__(self, users: list[LmsUser]) -> None:
        self.users = {user.username: user for user in users}
        self.clients: dict[str, tuple[str, str]] = {}  # client_id -> (secret, redirect URI prefix)
        self.signing_key = secrets.token_hex(32)
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (client_id, username)
        self.refresh_tokens: dict[str, str] = {}
        self.calls: list[str] = []
        self.token_seconds = TOKEN_SECONDS
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def register_client(self, client_id: str, secret: str, redirect_prefix: str) -> None:
        self.clients[client_id] = (secret, redirect_prefix)

    def start(self) -> "StandinLms":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- the LMS's answers ---------------------------------------------------------------

    def access_token(self, username: str) -> dict:
        user = self.users[username]
        now = int(time.time())
        claims = {"preferred_username": user.username, "email": user.email, "name": user.username.title(),
                  "administrator": user.administrator, "superuser": user.superuser,
                  "iss": f"{self.url}/oauth2", "iat": now, "exp": now + self.token_seconds}
        refresh = secrets.token_urlsafe(16)
        self.refresh_tokens[refresh] = username
        return {"access_token": jwt.encode(claims, self.signing_key, algorithm="HS256"), "token_type": "JWT",
                "expires_in": self.token_seconds, "refresh_token": refresh, "scope": "profile email"}

    def token_user(self, header: str) -> LmsUser | None:
        scheme, _, token = (header or "").partition(" ")
        if scheme != "JWT":
            return None
        try:
            claims = jwt.decode(token, self.signing_key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        return self.users.get(claims["preferred_username"])

    def _handler(self):
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def reply(self, status: int, body: dict | str = "", headers: dict | None = None):
                import json

                data = (json.dumps(body) if isinstance(body, dict) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if isinstance(body, dict) else "text/plain")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                lms.calls.append(url.path)
                if url.path == "/oauth2/authorize":
                    return self.authorize(query)
                if url.path == "/api/courses/v1/courses/":
                    return self.courses(query)
                return self.reply(404, {"detail": "Not found."})

            def do_POST(self):
                url = urlparse(self.path)
                lms.calls.append(url.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path == "/oauth2/access_token":
                    return self.token(form)
                return self.reply(404, {"detail": "Not found."})

            def authorize(self, query):
                cookies = dict(part.strip().split("=", 1) for part in (self.headers.get("Cookie") or "").split(";")
                               if "=" in part)
                username = cookies.get("standin_lms_user")
                client = lms.clients.get(query.get("client_id", ""))
                if client is None or not query.get("redirect_uri", "").startswith(client[1]):
                    return self.reply(400, {"error": "invalid_client"})
                if username not in lms.users:
                    return self.reply(401, "Sign in to the LMS first")
                code = secrets.token_urlsafe(16)
                lms.codes[code] = (query["client_id"], username)
                target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                return self.reply(302, "", {"Location": target})

            def token(self, form):
                client_id, secret = form.get("client_id"), form.get("client_secret")
                basic = self.headers.get("Authorization", "")
                if basic.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                if client_id not in lms.clients or lms.clients[client_id][0] != secret:
                    return self.reply(401, {"error": "invalid_client"})
                if form.get("grant_type") == "authorization_code":
                    owner = lms.codes.pop(form.get("code", ""), None)
                    if owner is None or owner[0] != client_id:
                        return self.reply(400, {"error": "invalid_grant"})
                    return self.reply(200, lms.access_token(owner[1]))
                if form.get("grant_type") == "refresh_token":
                    username = lms.refresh_tokens.pop(form.get("refresh_token", ""), None)
                    if username is None:
                        return self.reply(400, {"error": "invalid_grant"})
                    return self.reply(200, lms.access_token(username))
                return self.reply(400, {"error": "unsupported_grant_type"})

            def courses(self, query):
                caller = lms.token_user(self.headers.get("Authorization", ""))
                username = query.get("username", "")
                if caller is None:
                    return self.reply(401, {"detail": "Authentication credentials were not provided."})
                if caller.username != username and not caller.administrator:
                    return self.reply(403, {"detail": "You do not have permission to perform this action."})
                if query.get("permissions") != "staff" or username not in lms.users:
                    return self.reply(400, {"detail": "bad request"})
                courses = lms.users[username].staff_of
                page = int(query.get("page", 1))
                results = [{"course_id": key, "id": key} for key in courses[page - 1:page]]
                following = None
                if page < len(courses):
                    following = f"{lms.url}/api/courses/v1/courses/?" + urlencode({**query, "page": page + 1})
                # edx-platform's NamespacedPageNumberPagination
                return self.reply(200, {"results": results, "pagination": {
                    "next": following, "previous": None, "count": len(courses), "num_pages": len(courses)}})

        return Handler
