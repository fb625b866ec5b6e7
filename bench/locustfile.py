"""The seed's load-testing scenario ("Testing Strategy" -> "Load testing"), against this API: each simulated user
signs in, then views the project list three times as often as its portfolio, thinking 1-5 s between requests.

    locust -f bench/locustfile.py --host http://127.0.0.1:8000          # BENCH_EMAIL / BENCH_PASSWORD: an account
    .venv/bin/python bench/api_load.py --locust                          # runs it headless and prints its figures

Differences from the seed's text, each because our API says so: the token is `data.access_token` (the seed wrote
`data.token`) and the credentials come from the environment (the seed's test@example.com has a 12+ character
password rule to pass here)."""

from __future__ import annotations

import os

from locust import HttpUser, between, task


class TerraLuminaUser(HttpUser):
    wait_time = between(1, 5)

    def on_start(self) -> None:
        """Login and get token"""
        response = self.client.post(
            "/api/v1/users/login",
            json={
                "email": os.environ.get("BENCH_EMAIL", "test@example.com"),
                "password": os.environ.get("BENCH_PASSWORD", "testpassword123"),
            },
        )
        self.token = response.json()["data"]["access_token"]

    @task(3)
    def view_projects(self) -> None:
        """View projects list"""
        self.client.get("/api/v1/projects", headers={"Authorization": f"Bearer {self.token}"})

    @task(1)
    def view_portfolio(self) -> None:
        """View user portfolio"""
        self.client.get("/api/v1/portfolio", headers={"Authorization": f"Bearer {self.token}"})
