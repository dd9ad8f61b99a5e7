"""Deployment: the nginx config in front of gunicorn, and the local stack that tests and benchmarks run."""
