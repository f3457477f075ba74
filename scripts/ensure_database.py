"""Creates the PostgreSQL database named by DATABASE_URL when it does not exist yet.

`make run` calls it so that a new user only has to point DATABASE_URL at a server.
Nothing to do for SQLite (the file is created by Django).
"""

import os
import sys

import dj_database_url


def main() -> int:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return 0
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return 0
    import psycopg
    from psycopg import sql

    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    try:
        with psycopg.connect(dbname=config["NAME"], **params):
            return 0
    except psycopg.OperationalError:
        pass
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    except psycopg.Error as error:
        print(f"Impossible de créer la base {config['NAME']} : {error}", file=sys.stderr)
        return 1
    print(f"Base PostgreSQL {config['NAME']} créée.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
