# mtdemo pricing: a thread-pool HTTP server from Python's standard library (Debian's python3):
# the accepting thread hands each connection to a ThreadPoolExecutor of 4 workers, which may be
# busy (connections then wait in the pool's queue).
#   GET /price?id=N -> a price computed here (no downstream call)
#   GET /__gt       -> the ground-truth records (as services/ground-truth.mjs describes)
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

records = []
lock = threading.Lock()


def now():
    return str(time.clock_gettime_ns(time.CLOCK_MONOTONIC))


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        start = now()
        url = urlparse(self.path)
        if url.path == '/__gt':
            with lock:
                body = '\n'.join(json.dumps(r) for r in records).encode()
                records.clear()
        elif url.path == '/price':
            n = int(parse_qs(url.query).get('id', ['1'])[0])
            price = sum(i * i for i in range(5000 + n)) % 997
            body = json.dumps({'id': n, 'price': price}).encode()
            rid = self.headers.get('x-request-id')
            if rid:
                # The handler's end: just before the reply is written (its first send).
                with lock:
                    records.append({'svc': 'pricing', 'rid': rid, 'tid': threading.get_native_id(), 'start': start, 'end': now(), 'calls': []})
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('content-type', 'application/json')
        self.send_header('content-length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class PoolServer(HTTPServer):
    def __init__(self, address, handler, workers):
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix='worker')

    def process_request(self, request, client_address):
        self.pool.submit(self.serve_one, request, client_address)

    def serve_one(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


if __name__ == '__main__':
    server = PoolServer(('0.0.0.0', 8080), Handler, 4)
    print('pricing listening on 8080 (4 pool workers)', flush=True)
    server.serve_forever()
