"""gunicorn's settings for ``make serve`` and bench/load.py.

Each can be changed from the environment:

- ``APOC_BIND``: address and port, or ``unix:/run/apoc/gunicorn.sock`` (default 127.0.0.1:8000)
- ``APOC_WORKERS``: worker processes (default 2 per core + 1)
- ``APOC_THREADS``: threads per worker (default 1: sync workers)

The access log leaves out query strings: a search can carry a personnummer.
"""

import multiprocessing
import os

bind = os.environ.get("APOC_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("APOC_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("APOC_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

timeout = 60  # a worker stuck this long is restarted
graceful_timeout = 30
keepalive = 5
# Restart each worker now and then, spread out, so no leak can grow for long.
max_requests = 2000
max_requests_jitter = 200

# No runtime control socket: nothing to manage APOC through but signals.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms'

# Load APOC once in the master and fork the workers from it: they start warm
# and share its memory. Django opens no database connection at import.
preload_app = True


def when_ready(server):
    """Make one throwaway letter in the master before the workers fork.

    A process's first letter registers the fonts and reads the letter texts
    (about a second); done here, every worker, also one restarted after
    max_requests, prints its first letter as fast as its hundredth.
    """
    from datetime import date

    from jobnet.letters import Credentials, LetterData, render_letter

    try:
        render_letter(
            LetterData(
                name="Opvarmning",
                address_lines=("Vej 1", "1000 København K"),
                personnummer="010190-1234",
                jobcentre_name="Jobcenter",
                jobcentre_address_lines=("Vej 2",),
                jobcentre_phone="",
                jobcentre_email="",
                letter_date=date.today(),
                language="pl",
            ),
            Credentials(username="opvarmning", password="opvarmning-123"),  # noqa: S106 - thrown away
        )
    except Exception:
        server.log.exception("could not make the warm-up letter; workers start cold")
