"""`learnloop serve [--host --port]`: run Learnloop with a production-grade WSGI server."""

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

    def handle(self, *args, host, port, workers, threads, **options):
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise CommandError(
                f"The database schema is {len(pending)} migration(s) behind: run `learnloop migrate` first."
            )
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.base import BaseApplication

        from learnloop.wsgi import application

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
        LearnloopServer().run()
