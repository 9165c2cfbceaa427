"""`learnloop serve [--host --port] [--with-worker]`: run Learnloop with a production-grade WSGI server.

With --with-worker (what `./run demo` uses) a `learnloop worker` runs beside it as a child
process, so queued work (a closing survey's disclosure decision, emails) gets done without a
second terminal; it stops with the server. In production run the worker as its own service.
"""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

KEEPALIVE_SECONDS = 75


class Command(BaseCommand):
    help = "Serve Learnloop over HTTP (gunicorn, threaded workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument("--workers", type=int, default=2, help="Worker processes (default 2).")
        parser.add_argument("--threads", type=int, default=8, help="Threads per worker (default 8).")
        parser.add_argument("--with-worker", action="store_true",
                            help="Also run the background task worker (`learnloop worker`) until the server stops.")

    def handle(self, *args, host, port, workers, threads, with_worker=False, **options):
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(
                f"The database schema is {len(pending)} migration(s) behind: run `learnloop migrate` first."
            )
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        from django.utils.module_loading import import_string
        from gunicorn.app.base import BaseApplication

        application = import_string(settings.WSGI_APPLICATION)  # by name: the project module sits above ops

        class LearnloopServer(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"[{host}]:{port}" if ":" in host else f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread")
                # Off unless asked for (-v 2), and then without client addresses, query strings
                # or ids in paths: see ops/access_log.py and docs/operations.md.
                self.cfg.set("accesslog", "-" if options["verbosity"] > 1 else None)
                self.cfg.set("logger_class", "learnloop.ops.access_log.RedactedAccessLogger")
                self.cfg.set("errorlog", "-")
                # gunicorn closes idle keep-alive connections after 2 s by default; a request
                # a client sends on one just as it closes fails ("connection reset"), and clients
                # and proxies don't resend a POST. Keeping them longer than proxies' usual idle
                # timeout (nginx, load balancers: 60 s) makes the client the side that closes.
                # Idle connections wait in gthread's poller and hold no thread.
                self.cfg.set("keepalive", KEEPALIVE_SECONDS)
                self.cfg.set("timeout", 120)
                self.cfg.set("graceful_timeout", 10)
                self.cfg.set("forwarded_allow_ips", "*" if settings.TRUSTED_PROXY_COUNT else "127.0.0.1")

            def load(self):
                return application

        shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host  # noqa: S104
        self.stdout.write(f"Learnloop is running at http://{shown_host}:{port}/  (Ctrl+C stops it)")
        connection.close()  # workers open their own connections after forking
        task_worker = None
        if with_worker:
            # Its own process (the server forks; a thread in the master would be lost there).
            task_worker = subprocess.Popen([sys.executable, "-m", "learnloop", "worker", "--no-startup-delay"])
            self.stdout.write(f"Background worker running (pid {task_worker.pid}).")
        try:
            LearnloopServer().run()
        finally:
            if task_worker is not None and task_worker.poll() is None:
                task_worker.terminate()  # the worker finishes its current task, then exits
                try:
                    task_worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    task_worker.kill()
