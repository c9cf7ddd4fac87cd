"""Application settings, read from the environment (and an optional `.env` file).

Every `os.environ` read of the project lives here.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from argon2 import DEFAULT_MEMORY_COST, DEFAULT_PARALLELISM, DEFAULT_TIME_COST
from pydantic import Field, computed_field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "changethis-koppel-local-development-only"
DB_POOL_SIZE, DB_POOL_OVERFLOW = 10, 30


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["local", "test", "production"] = "local"
    database_url: str = Field(
        default="sqlite:///./koppel.sqlite3",
        description="SQLAlchemy URL; postgresql:// URLs use the psycopg 3 driver.",
    )
    secret_key: str = DEFAULT_SECRET
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    refresh_token_days: int = Field(default=14, ge=1, le=90)
    db_timeout_seconds: float = Field(default=5.0, gt=0)
    # PostgreSQL connections per engine: kept open when idle (pool) and opened on top under load
    # (overflow, closed when returned). The defaults give each of anyio's 40 worker threads a
    # connection, so a request never waits for the pool while its own thread is free; tests use
    # small pools, so the many engines of a test run fit the server's default 100 connections
    db_pool_size: int = Field(default=DB_POOL_SIZE, ge=1)
    db_pool_overflow: int = Field(default=DB_POOL_OVERFLOW, ge=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # matching
    stale_workforce_days: int = Field(default=90, ge=1)
    unmet_threshold: float = Field(default=0.5, ge=0, le=1)
    lead_expiry_days: int = Field(default=14, ge=1)
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # abuse resistance: moving windows in Redis when REDIS_URL is set (one limit for all workers
    # and replicas), else in process memory (each uvicorn worker counts on its own); off for
    # tests and benchmarks
    rate_limit_enabled: bool = True
    redis_url: str | None = Field(default=None, description="redis://host:port/db for shared "
                                  "rate-limit and login-failure windows; unset: in memory")
    redis_key_prefix: str = Field(default="koppel", min_length=1)
    # comma-separated addresses/networks (or *) whose X-Forwarded-For / X-Forwarded-Proto are
    # believed; empty (the default): the headers are ignored and the peer address counts
    forwarded_allow_ips: str = ""
    # comma-separated addresses/networks that may read GET /metrics without a staff token
    metrics_allow_ips: str = ""
    rate_limit_auth_per_ip: int = Field(default=30, ge=1, description="/auth/* requests per "
                                        "client IP per minute")
    rate_limit_login_failures: int = Field(default=10, ge=1, description="failed logins per "
                                           "account per window")
    rate_limit_login_window_seconds: int = Field(default=300, ge=1)
    rate_limit_directory_per_ip: int = Field(default=120, ge=1, description="/directory/* "
                                             "requests per client IP per minute (public)")
    rate_limit_per_token: int = Field(default=600, ge=1, description="requests per bearer token "
                                      "(or, without one, per client IP) per minute elsewhere")
    # webhooks may not reach into our own network (SSRF): loopback, private, link-local and
    # other non-public addresses are refused; unset means allowed except in production, so a
    # local demo or test can post to a receiver on 127.0.0.1
    webhook_allow_private_networks: bool | None = None
    # e-mail (DESIGN §14): without SMTP_HOST every message is written to MAIL_DIR as a .eml file
    smtp_host: str | None = Field(default=None, description="SMTP server; unset writes .eml files")
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = Field(default=True, description="STARTTLS before logging in")
    mail_from: str = "Koppel <no-reply@koppel.example.be>"
    mail_dir: str = Field(default="./mail", description="Where .eml files go without SMTP_HOST")
    # absolute base of the links in e-mails (unsubscribe); the address people reach the API at
    public_url: str = "http://localhost:8000"
    # argon2id cost of new password hashes (the library's defaults, RFC 9106's low-memory
    # profile); tests lower it because every registration hashes once. Existing hashes carry
    # their own parameters, so changing these never locks anyone out.
    password_hash_time_cost: int = Field(default=DEFAULT_TIME_COST, ge=1,
                                         description="argon2 iterations")
    password_hash_memory_cost: int = Field(default=DEFAULT_MEMORY_COST, ge=8,
                                           description="argon2 memory in KiB")
    password_hash_parallelism: int = Field(default=DEFAULT_PARALLELISM, ge=1,
                                           description="argon2 lanes")

    @property
    def webhook_private_networks_allowed(self) -> bool:
        if self.webhook_allow_private_networks is None:
            return self.environment != "production"
        return self.webhook_allow_private_networks

    @property
    def forwarded_allow_list(self) -> list[str]:
        return [part.strip() for part in self.forwarded_allow_ips.split(",") if part.strip()]

    @property
    def metrics_allow_list(self) -> list[str]:
        return [part.strip() for part in self.metrics_allow_ips.split(",") if part.strip()]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("SECRET_KEY must be set to a private value in production")
        return self

    @model_validator(mode="after")
    def _refuse_cheap_password_hashing_in_production(self) -> Settings:
        if self.environment == "production" and (
                self.password_hash_time_cost < DEFAULT_TIME_COST
                or self.password_hash_memory_cost < DEFAULT_MEMORY_COST):
            raise ValueError(f"PASSWORD_HASH_TIME_COST >= {DEFAULT_TIME_COST} and "
                             f"PASSWORD_HASH_MEMORY_COST >= {DEFAULT_MEMORY_COST} in production")
        return self


@cache
def get_settings() -> Settings:
    return Settings()
