"""Print why PostgreSQL or Redis cannot be used for tests; print nothing when both answer."""

import sys

import psycopg
import redis


def main(database_url: str, redis_url: str) -> None:
    problems = []
    try:
        psycopg.connect(database_url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
    except Exception as error:  # any failure to connect means "not usable"
        problems.append(f"PostgreSQL at {database_url} does not answer ({str(error).strip().splitlines()[0]})")
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except Exception as error:
        problems.append(f"Redis at {redis_url} does not answer ({error})")
    print("; ".join(problems))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
