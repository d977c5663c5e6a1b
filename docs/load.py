#!/usr/bin/env python3
"""A small load for the dashboard render: users get credits, spend them (some requests replayed
with the same Idempotency-Key), get refunds. Standard library only. Prints the status counts."""
import collections
import http.client
import json
import random
import sys
import threading
import time
import uuid

host, port, token, seconds, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
statuses = collections.Counter()
lock = threading.Lock()


def call(conn, method, path, body=None, extra=None):
    h = dict(headers, **(extra or {}))
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
        r = conn.getresponse()
        data = r.read()
        return r.status, data
    except (OSError, http.client.HTTPException):
        conn.close()
        return 0, b""


def worker(n):
    conn = http.client.HTTPConnection(host, port, timeout=15)
    status, data = call(conn, "POST", "/v1/users", {"email": "load-%s@example.com" % uuid.uuid4()})
    user = json.loads(data)["id"]
    call(conn, "POST", "/v1/users/%s/credits/grant" % user, {"amount": 1_000_000, "reason": "load"})
    hot = n % 4 == 0  # a few threads share work on "hot" users
    last = None  # (key, body) of the last spend: replayed now and then, as a client retrying would
    end = time.time() + seconds
    while time.time() < end:
        r = random.random()
        if r < 0.75:
            if last is None or random.random() >= 0.1:
                last = (str(uuid.uuid4()), {"amount": random.randint(1, 20), "reason": "quiz"})
            s, _ = call(conn, "POST", "/v1/users/%s/credits/spend" % user, last[1], {"Idempotency-Key": last[0]})
        elif r < 0.85:
            s, _ = call(conn, "POST", "/v1/users/%s/credits/refund" % user, {"amount": 1, "reason": "sorry"})
        elif r < 0.9:
            s, _ = call(conn, "POST", "/v1/users/%s/credits/grant" % user, {"amount": 50, "reason": "bonus"})
        else:
            s, _ = call(conn, "GET", "/v1/users/%s/balance" % user)
        with lock:
            statuses[s] += 1
        if not hot:
            time.sleep(random.uniform(0.005, 0.02))


ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print(json.dumps(dict(statuses)))
