"""gunicorn settings for production: `gunicorn -c config/gunicorn.py config.wsgi`.

Every value comes from the environment, so one file serves every machine; the variable
names are part of the deployment interface (README, Configuration; the benchmark uses them).
"""

import multiprocessing
import os


def env_str(name, default=""):
    """Unset and empty are the same: the default (config/settings/base.py reads them alike)."""
    return os.environ.get(name, "").strip() or default


def env_int(name, default):
    value = env_str(name)
    return int(value) if value else default


# Without REDIS_URL the Django cache is a folder of files on this machine, shared by every
# process (invalidations made by one are seen by all), but its counters are not atomic between
# processes: the rate limits, counted there, could let through more than their limit with
# several workers counting at once. One process with threads counts exactly; with Redis,
# processes share atomic counters and can be as many as the CPUs allow.
SHARED_CACHE = bool(os.environ.get("REDIS_URL", "").strip())
CPUS = multiprocessing.cpu_count()

# SOCKET
bind = env_str("GUNICORN_BIND", "127.0.0.1:8000")

# WORKERS
# The usual 2 x CPUs + 1: page rendering is CPU-bound, and one spare process covers a worker
# waiting on the database.
workers = env_int("WEB_CONCURRENCY", 2 * CPUS + 1 if SHARED_CACHE else 1)
# More than one thread switches gunicorn to its gthread worker. A single process needs them to
# serve concurrent requests; with several processes the default stays at sync workers.
threads = env_int("GUNICORN_THREADS", 1 if workers > 1 else 2 * CPUS + 1)

# TIMEOUTS
# A worker silent for this long is killed and replaced (a hung request, a lost database).
timeout = env_int("GUNICORN_TIMEOUT", 30)
# On restart or shutdown (SIGTERM, SIGHUP) a worker gets this long to finish its requests.
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection stays open (gthread only; sync workers close after each
# response). Behind a load balancer that reuses connections, set it above the balancer's own
# idle timeout, or the balancer may send a request on a connection gunicorn is closing (a 502).
keepalive = env_int("GUNICORN_KEEPALIVE", 5)

# RECYCLING
# Each worker is replaced after this many requests, so a slow memory leak (ours or a
# library's) cannot grow without bound; the jitter keeps workers from restarting together.
# 0 turns recycling off.
max_requests = env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# PROXY
# Addresses of the proxy or load balancer in front, whose X-Forwarded-Proto gunicorn trusts
# (comma-separated addresses or networks, "*" when only the proxy can reach gunicorn).
# gunicorn's own variable name and default.
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn never takes the client's address from X-Forwarded-For, so behind a proxy every
# request shows the proxy's address in REMOTE_ADDR. The app reads the client's address from
# X-Forwarded-For itself, from the proxies named in BYLINE_TRUSTED_PROXIES only
# (core/ratelimit.py client_ip, for the rate limits and the sign-in lockout). A proxy that
# speaks the PROXY protocol (HAProxy, AWS NLB, nginx `stream`) passes the real address in
# REMOTE_ADDR instead: set GUNICORN_PROXY_PROTOCOL=v1, v2 or auto.
proxy_protocol = env_str("GUNICORN_PROXY_PROTOCOL", "off")
proxy_allow_ips = forwarded_allow_ips

# LOGGING
# Both to the process manager (journald, docker logs): access lines on stdout, errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = env_str("GUNICORN_LOG_LEVEL", "info")

# LOCAL STATE
# Workers signal they are alive by touching a temporary file; on a disk-backed /tmp that can
# block a worker for seconds, so use memory (/dev/shm) where the system has it.
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"
# gunicorn 25.1+ opens a control socket at a fixed per-user path ($XDG_RUNTIME_DIR or ~/.gunicorn):
# two gunicorns on one machine would take it from each other, and stopping one removes the
# other's. Off unless asked for, with a path of its own.
if env_str("GUNICORN_CONTROL_SOCKET"):
    control_socket = env_str("GUNICORN_CONTROL_SOCKET")
else:
    control_socket_disable = True


def on_starting(server):
    if workers > 1 and not SHARED_CACHE:
        server.log.warning(
            "%d worker processes without REDIS_URL: each keeps its own cache, so page-cache "
            "invalidation and rate limits differ between them. Set REDIS_URL, or WEB_CONCURRENCY=1.",
            workers,
        )
