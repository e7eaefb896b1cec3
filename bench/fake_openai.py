#!/usr/bin/env python3
"""A scripted OpenAI-compatible chat server for tests of retries, timeouts and parsing.

python3 bench/fake_openai.py PORTFILE [BEHAVIOUR,...]

Binds 127.0.0.1 on a free port and writes it to PORTFILE. Each request takes the next
behaviour of the list (then `ok` forever):
  ok       200: {"action": k} (k = the schema's legal action at index seed % n) or, without a
           schema, "\\boxed{1 + 2}"
  500/429  that HTTP status
  hang     no answer for 30 s
  garbage  200 with a body that is not JSON
  prose    200 with content that names no action
Every request body is appended to PORTFILE.requests (one JSON line)."""
import json, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

script = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else []
lock = threading.Lock()

class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            behaviour = script.pop(0) if script else "ok"
            with open(sys.argv[1] + ".requests", "a") as f:
                f.write(body.decode() + "\n")
        request = json.loads(body)
        if behaviour in ("500", "429"):
            return self.reply(int(behaviour), '{"error": "scripted"}')
        if behaviour == "hang":
            time.sleep(30)
            return
        if behaviour == "garbage":
            return self.reply(200, "<html>not json</html>", "text/html")
        if behaviour == "prose":
            content = "I would rather not say."
        else:
            fmt = request.get("response_format") or {}
            schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
            if schema:
                legal = schema["properties"]["action"]["enum"]
                content = json.dumps({"action": legal[request.get("seed", 0) % len(legal)]})
            else:
                content = "Let me think.\n\\boxed{1 + 2}"
        self.reply(200, json.dumps({"choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                                                 "finish_reason": "stop"}],
                                    "usage": {"prompt_tokens": 1, "completion_tokens": 1}}))

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
server.serve_forever()
