"""`make loadtest` (`python manage.py loadtest`): the production processes
under simulated users, with a web worker, a Celery worker and Redis killed or
restarted during the run (driver.py; the simulated users: locustfile.py)."""
